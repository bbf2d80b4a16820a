"""Settings for the test suite: the real settings, with files in a throw-away folder."""

import atexit
import os
import shutil
import tempfile

_var = tempfile.mkdtemp(prefix="pypiapp-test-")
os.mkdir(os.path.join(_var, "static"))  # STATIC_ROOT, which production's collectstatic makes
os.environ["PYPIAPP_VAR_DIR"] = _var
os.environ.pop("PACKAGE_FILES_ROOT", None)
atexit.register(shutil.rmtree, _var, ignore_errors=True)

from .settings import *  # noqa: E402,F403 (after PYPIAPP_VAR_DIR is set; the overrides follow)

# Argon2 stays the production hasher (asserted in tests); a fast one keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405 (from the star import)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_RATE_LIMITS = False
