"""Settings for the package index.

Everything that differs between a laptop and production comes from environment
variables, with defaults that need nothing installed: SQLite and local files under
`var/`, an in-process task broker, local-memory cache and console email.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state: the SQLite file, the dev secret key, collected static files, upload temp files,
# the download log. Importing settings creates none of it outside development mode (below): the
# directories are made where they are first written (core/uploads.py, stats/downloadlog.py,
# collectstatic, the storages) or by development mode.
VAR_DIR = Path(os.environ.get("PYPIAPP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False, env=os.environ):
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_key(debug):
    """SECRET_KEY from the environment (production sets it), else the one kept in var/secret_key.

    Only development mode (DEBUG, as `make run` serves) writes that file when it is missing;
    otherwise a key for this process only is used and nothing is written (migrate, tests, checks)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    if debug:
        key_file.write_text(key)
        key_file.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", False)
if DEBUG:
    # Development mode (`make run`, `make migrate`): SQLite's file and the secret key live here.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public base URL used in mails and absolute links when there is no request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = os.environ.get("SITE_NAME", "Package Index")
SITE_IS_HTTPS = SITE_URL.lower().startswith("https://")  # turns on HSTS, redirects, Secure cookies (below)

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # django.contrib.admin, logging in through allauth
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "packages",
    "organizations",  # organizations, teams, private projects (README "Organizations")
    "api",
    "oidc",
    "ops",
    "stats",
    "sponsors",
    "upstream",  # caching proxy of upstream indexes (README "Upstream indexes")
    "devtools",  # development tooling: seed_dev_data, ensure_demo_user (make run), test support
    "outbox",
]

MIDDLEWARE = [
    "core.instrument.RequestObserverMiddleware",  # request id, metrics, log line (see Observability)
    "core.middleware.RejectControlCharactersMiddleware",  # issue 14: no NUL reaches a view (a 400)
    "django.middleware.security.SecurityMiddleware",
    "core.errors.ErrorPageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.GZipPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "packages.middleware.AdminFlagMiddleware",
]

# pip's and uv's requests (GET/HEAD under these paths) take this shorter chain: those views
# use no session, user, CSRF token or message (pypiapp/handlers.py).
# Health checks and /metrics take it too: a load balancer calls them every second.
INSTALLER_PATH_PREFIXES = ["/simple/", "/packages/", "/_health/", "/metrics"]
INSTALLER_MIDDLEWARE = [
    "core.instrument.RequestObserverMiddleware",
    "core.middleware.RejectControlCharactersMiddleware",  # issue 14: no NUL reaches a view (a 400)
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Error answers (core/errors.py): pages for people, short plain text (or JSON under /pypi/…/json)
# for the clients on these paths.
MACHINE_PATH_PREFIXES = ["/simple/", "/packages/", "/legacy", "/pypi", "/integrity/", "/_/", "/_health", "/metrics"]
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

ROOT_URLCONF = "pypiapp.urls"
WSGI_APPLICATION = "pypiapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pypiapp.context_processors.site",
                "sponsors.context_processors.footer_sponsors",
                "packages.context_processors.notices",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets several test runs share one PostgreSQL server without clobbering each other.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Database hiccups (README "Degraded modes"): a connection the server dropped is noticed and
# replaced at the start of the next request instead of failing it; a database that is really
# gone makes requests a 503 (core/errors.py), plain text on MACHINE_PATH_PREFIXES (pip, uv, twine).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, refusing frozen accounts (see accounts/auth_backends.py).
    "accounts.auth_backends.ModelBackendRefusingFrozen",
    "accounts.auth_backends.AllauthBackendRefusingFrozen",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/manage/projects/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: username or email login, mandatory email verification, MFA.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 10
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"  # mail goes out through dramatiq (accounts/tasks.py)
ACCOUNT_FORMS = {  # display name; labels; reset mail to verified addresses only
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password/email/2FA changes are mailed to the primary address
# Like pypi.org, say plainly when a username or email is taken (usernames are public anyway).
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_IS_HTTPS else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "3/6h/key",
    # Per client (the real one behind TRUSTED_PROXY_COUNT proxies) and per account: the
    # login_failed and reset_password keys name the account, not the text typed
    # (accounts/adapters.py, accounts/forms.py).
    "reset_password": "20/h/ip",
    "reset_password_account": "5/d/key",
    "password_check": "60/m/ip",  # the live password-strength check on forms
}

# --- Staff two-factor authentication (accounts/second_factor.py, accounts/admin_site.py) ---
# Staff log into the admin through allauth's login; no admin page opens until the account has
# 2FA and the session has passed it. The accounts named here skip that, and only with DEBUG on
# (`make run`'s demo user and seed_dev_data's staff).
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", True)
STAFF_2FA_EXEMPT = ["demo", "admin", "moderator"]
# Pages that need a session which passed the second factor, for accounts that have one.
SECOND_FACTOR_PATHS = ["/manage/", "/account/email/", "/account/password/change/"]

# --- Trusted proxies and throttles (accounts/throttles.py) ---
# How many proxies in front of the app append to X-Forwarded-For (deploy/nginx.conf: 1). The
# client address every throttle and the security history use is the one the last of them saw.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Failed credentials on /legacy/ (bad tokens, wrong passwords), per client address and per
# token id or account: past the limit the answer is 429 with Retry-After.
UPLOAD_AUTH_FAILURES_PER_CLIENT = os.environ.get("UPLOAD_AUTH_FAILURES_PER_CLIENT", "30/m")
UPLOAD_AUTH_FAILURES_PER_CREDENTIAL = os.environ.get("UPLOAD_AUTH_FAILURES_PER_CREDENTIAL", "10/m")

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
MFA_TOTP_ISSUER = SITE_NAME
# Logins need a verified email anyway (mandatory verification), so a 2FA account may add
# further, not yet verified addresses (allauth refuses that by default).
MFA_ALLOW_UNVERIFIED_EMAIL = True

# Files: local disk under var/ by default, S3-compatible object storage when S3_BUCKET is set.
PACKAGE_FILES_ROOT = Path(os.environ.get("PACKAGE_FILES_ROOT", VAR_DIR / "packages"))


# --- Object storage (S3-compatible, django-storages) and how downloads reach it ---
# A private bucket (S3's default) is served with presigned URLs that expire after
# S3_URL_EXPIRY_SECONDS; S3_PUBLIC_BUCKET=1 (a bucket policy allowing anonymous GetObject)
# or S3_CUSTOM_DOMAIN (a CDN or website endpoint in front of the bucket) gives plain URLs.
def s3_storage(env):
    """The "packages" storage for the S3_* variables in `env` (README "Object storage")."""
    custom_domain = env.get("S3_CUSTOM_DOMAIN") or None
    public = custom_domain is not None or env_bool("S3_PUBLIC_BUCKET", env=env)
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["S3_BUCKET"],
            "endpoint_url": env.get("S3_ENDPOINT_URL") or None,
            "region_name": env.get("S3_REGION") or None,
            "access_key": env.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": custom_domain,
            "url_protocol": env.get("S3_CUSTOM_DOMAIN_PROTOCOL", "https:"),
            "file_overwrite": False,
            "querystring_auth": not public,
            "querystring_expire": int(env.get("S3_URL_EXPIRY_SECONDS", "300")),
            "signature_version": "s3v4",
            "addressing_style": env.get("S3_ADDRESSING_STYLE") or None,
        },
    }


# Site media (sponsor logos) sits under this prefix of the packages' bucket on S3; the orphan
# walk (packages/orphans.py) leaves it alone.
SITE_MEDIA_PREFIX = "site-media"
if os.environ.get("S3_BUCKET"):
    _package_storage = s3_storage(os.environ)
    _media_storage = s3_storage(os.environ)
    _media_storage["OPTIONS"] = {**_media_storage["OPTIONS"], "location": SITE_MEDIA_PREFIX}
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    }
    _package_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PACKAGE_FILES_ROOT), "base_url": "/packages/"},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "packages": _package_storage,
    # Site media (sponsor logos): beside the packages, on every node's shared storage.
    "media": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# How downloads leave the server: "django" streams them (make run), "x-accel-redirect"
# hands them to nginx, "redirect" sends clients to the object store's URL.
FILE_DELIVERY = os.environ.get("FILE_DELIVERY", "django")
FILE_DELIVERY_ACCEL_PREFIX = os.environ.get("FILE_DELIVERY_ACCEL_PREFIX", "/_protected/packages/")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic
if DEBUG:
    STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root; runserver has no collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Uploads always stream to a temporary file (never buffered whole in memory).
FILE_UPLOAD_HANDLERS = ["core.uploads.TemporaryFileUploadHandler"]
# A directory of their own, so the storage sweep can remove what a killed worker left behind;
# created by the first upload (core/uploads.py), so Django's check that it exists is off.
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or str(VAR_DIR / "upload-tmp")
SILENCED_SYSTEM_CHECKS = ["files.E001"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024  # non-file fields, e.g. long descriptions
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Cache: Redis when configured, local memory otherwise. REDIS_URL is the task broker's too.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = os.environ.get("CACHE_URL") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that falls back to a local cache while Redis is down (core/cache.py).
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": CACHE_URL,
            "FALLBACK_SECONDS": float(os.environ.get("CACHE_FALLBACK_SECONDS", "5")),
            # A black-holed Redis holds a request at most this long before the fallback answers.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    # Room for many rendered simple pages (each is kept plain, gzip and brotli).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 3000}}}
# A front cache (deploy/nginx.conf, or a CDN) may keep simple pages this long; each change
# then PURGEs them at EDGE_PURGE_URLS (comma-separated, e.g. http://127.0.0.1/_purge).
EDGE_CACHE_SECONDS = int(os.environ.get("EDGE_CACHE_SECONDS", "0"))
# /simple/ kept in segments and whole bodies on this node's disk, shared by its workers
# (api/simple/index_store.py): about 3x the index's plain HTML (150 MB at 700,000 projects).
SIMPLE_INDEX_DIR = Path(os.environ.get("SIMPLE_INDEX_DIR", VAR_DIR / "simple-index"))
EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS", [])

# --- Upstream indexes: the caching proxy (upstream/, README "Upstream indexes") ---
# One upstream from the environment, asked before the admin's (none by default: nothing proxied).
UPSTREAM_INDEX_URL = os.environ.get("UPSTREAM_INDEX_URL", "")
UPSTREAM_CACHE_SECONDS = int(os.environ.get("UPSTREAM_CACHE_SECONDS", "600"))  # a page is fresh this long
UPSTREAM_MISS_SECONDS = int(os.environ.get("UPSTREAM_MISS_SECONDS", "300"))  # a name no upstream knows
UPSTREAM_TIMEOUT_SECONDS = float(os.environ.get("UPSTREAM_TIMEOUT_SECONDS", "4"))  # all upstreams, per page
UPSTREAM_FILE_TIMEOUT_SECONDS = float(os.environ.get("UPSTREAM_FILE_TIMEOUT_SECONDS", "30"))  # per socket read
UPSTREAM_MAX_FILE_SIZE = int(os.environ.get("UPSTREAM_MAX_FILE_SIZE", str(10 * 1024**3)))
# A request for a file another request is fetching waits this long for the stored copy, then
# streams from the upstream itself (kept under pip's 15-second read timeout).
UPSTREAM_FILE_WAIT_SECONDS = float(os.environ.get("UPSTREAM_FILE_WAIT_SECONDS", "10"))
# A client fetching a metadata file cold gets its file fetched ahead (upstream/ahead.py), when the
# page says it is at most this many bytes; 0 turns it off.
UPSTREAM_FETCH_AHEAD_MAX_BYTES = int(os.environ.get("UPSTREAM_FETCH_AHEAD_MAX_BYTES", str(20 * 1024**2)))
# Uncached names one client may have looked up upstream (then 429): random names cost a round trip each.
UPSTREAM_LOOKUP_RATE = os.environ.get("UPSTREAM_LOOKUP_RATE", "120/m")
# Retention of cached upstream files (upstream/retention.py; the upstream-retention job): evict a
# file not downloaded for this many days, and the least recently downloaded while the cache is
# larger than this many bytes. 0 turns each off (the default: an air-gapped cache keeps all).
UPSTREAM_RETENTION_DAYS = int(os.environ.get("UPSTREAM_RETENTION_DAYS", "0"))
UPSTREAM_CACHE_MAX_BYTES = int(os.environ.get("UPSTREAM_CACHE_MAX_BYTES", "0"))

# Mail: console in development, SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
EMAIL_TIMEOUT = 10  # seconds: a black-holed SMTP server must not hold a worker
if os.environ.get("EMAIL_FILE_PATH"):  # with EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# Outbox (outbox/, README "Outbox"): work that leaves the request is stored with the change and
# delivered from there. A dispatched message not done within the lease is dispatched again;
# failures are retried after 30 s, doubling up to an hour, until they succeed.
OUTBOX_LEASE_SECONDS = 300
OUTBOX_RETRY_BASE_SECONDS = 30
OUTBOX_RETRY_MAX_SECONDS = 3600

# Periodic jobs (README "Periodic jobs"): `manage.py run_periodic NAME`, run by the systemd timers
# in deploy/systemd/. Every periodic job of the project is listed here and nowhere else.
PERIODIC_JOBS = {
    "outbox": "outbox.relay.run_periodic",  # every minute: dispatch due outbox messages
    "storage-sweep": "packages.orphans.run_periodic",  # hourly: orphaned objects and upload temp files
    "download-stats": "command:update_download_stats",  # every minute: count the download logs (stats/)
    "upstream-retention": "upstream.retention.run_periodic",  # hourly: evict cached upstream files
}
# Top-level folders of package storage whose objects another app's rows refer to: the orphan
# sweeps ask the function named here which of a list of paths are still referenced.
STORAGE_FOLDER_OWNERS = {"upstream": "upstream.stored.referenced_paths"}
# Stored objects with no file row, and upload temp files, younger than this may belong to an
# upload in flight: the sweeps (`verify_files --remove-orphans`, storage-sweep) leave them alone.
ORPHAN_GRACE_SECONDS = int(os.environ.get("ORPHAN_GRACE_SECONDS", "3600"))
# Test hook only (the SIGKILL test): an upload that has stored its bytes writes its pid to this
# file and waits, before it commits. Never set in production.
UPLOAD_TEST_PAUSE_FILE = os.environ.get("UPLOAD_TEST_PAUSE_FILE", "")

# Background tasks (dramatiq): see core/broker.py for how the broker is chosen.
TASK_BROKER = os.environ.get("TASK_BROKER", "")  # "redis", "rabbitmq", "inprocess" or "" (auto)
# REDIS_URL: read with the cache settings above.
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} JSON API",
    "DESCRIPTION": "Project and release documents in pypi.org's JSON API shape.",
    "VERSION": "1",
    "PREPROCESSING_HOOKS": ["api.json.urls.canonical_paths_only"],
}

# Collaboration invitations stay valid this long (packages/services/invitations.py).
ROLE_INVITATION_HOURS = 72

# Upload policy (see README "Upload rules").
UPLOAD_MAX_FILE_SIZE = int(os.environ.get("UPLOAD_MAX_FILE_SIZE", str(100 * 1024 * 1024)))
UPLOAD_MAX_PROJECT_SIZE = int(os.environ.get("UPLOAD_MAX_PROJECT_SIZE", str(10 * 1024**3)))
# The most staff can raise a project's per-file and total size limits to (packages/limits.py).
UPLOAD_LIMIT_CAP = 1024**3 * 10
UPLOAD_PROJECT_SIZE_CAP = 1024**4
UPLOAD_ALLOW_PASSWORD_AUTH = env_bool("UPLOAD_ALLOW_PASSWORD_AUTH", False)
UPLOAD_REQUIRE_2FA = env_bool("UPLOAD_REQUIRE_2FA", False)
UPLOAD_REQUIRE_VERIFIED_EMAIL = env_bool("UPLOAD_REQUIRE_VERIFIED_EMAIL", True)
UPLOAD_MAX_RELEASE_AGE_DAYS = int(os.environ.get("UPLOAD_MAX_RELEASE_AGE_DAYS", "14"))
PROJECT_CREATE_RATE = os.environ.get("PROJECT_CREATE_RATE", "20/h")

# Trusted Publishing (OIDC, see oidc/ and README "Trusted Publishing").
# The audience identity tokens must carry exactly: pypi.org's is "pypi"; ours is the site's
# host name by default, so that a token minted for another index is never accepted here.
OIDC_AUDIENCE = os.environ.get("OIDC_AUDIENCE") or (urlsplit(SITE_URL).hostname or "localhost")
# Plain-http loopback issuers (tests, development); refused at start-up with DEBUG off.
OIDC_ALLOW_INSECURE_LOCAL_ISSUERS = env_bool("OIDC_ALLOW_INSECURE_LOCAL_ISSUERS", False)
if OIDC_ALLOW_INSECURE_LOCAL_ISSUERS and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("OIDC_ALLOW_INSECURE_LOCAL_ISSUERS=1 is for development only: it needs DEBUG=1.")
OIDC_MINTED_TOKEN_SECONDS = 900  # as pypi.org
OIDC_LEEWAY_SECONDS = 30  # clock skew allowed on iat/nbf/exp
OIDC_HTTP_TIMEOUT_SECONDS = float(os.environ.get("OIDC_HTTP_TIMEOUT_SECONDS", "5"))
OIDC_JWKS_REFRESH_SECONDS = 60  # an unknown kid refetches an issuer's keys at most this often
# PEP 740 attestations are verified against sigstore's trust root as installed (or cached under
# XDG_CACHE_HOME/XDG_DATA_HOME), without refreshing it over the network (TUF).
ATTESTATIONS_OFFLINE = env_bool("ATTESTATIONS_OFFLINE", True)

# --- HTTPS and browser security (README "Security") ---
# An https:// SITE_URL turns on what a TLS site needs (what `manage.py check --deploy` asks
# for): HSTS, redirects to https, Secure session and CSRF cookies. The scheme a request came
# in with is X-Forwarded-Proto when TRUSTED_PROXY_COUNT proxies are in front (nginx sets it in
# deploy/nginx.conf), else the connection's own.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SITE_IS_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 86400 if SITE_IS_HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SITE_IS_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SITE_IS_HTTPS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None
# Content-Security-Policy (django-csp 4) on every page for people: scripts and styles only from
# static files (no inline code anywhere), README images from https, nothing framed. The
# installer and API paths carry no HTML, so they get none.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/simple/", "/packages/", "/legacy/", "/pypi/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Observability (README "Observability"): health, metrics, logs, error reporting ---------
# The client address in the log is TRUSTED_PROXY_COUNT's (core/clientip.py); a request that
# came through those proxies may bring its X-Request-ID.
# /metrics: served to these addresses (every X-Forwarded-For hop must be one), or to a
# request carrying `Authorization: Bearer <METRICS_BEARER_TOKEN>`.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.0/8", "::1"])
METRICS_BEARER_TOKEN = os.environ.get("METRICS_BEARER_TOKEN", "")
# gunicorn workers share their metrics through files here (prometheus-client's multiprocess
# mode; prometheus-client reads the variable itself too). Unset: one process's metrics.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# Other processes' metrics directories on this host that /metrics adds (glob patterns), e.g. the
# dramatiq workers' (deploy/systemd/pypi-worker@.service); only with PROMETHEUS_MULTIPROC_DIR.
METRICS_EXTRA_DIRS = env_list("METRICS_EXTRA_DIRS", [])
# Seconds /_health/ready waits for the cache, storage and broker checks.
HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "2"))
# "json": one JSON object per line (production); "text": readable lines (make run, DEBUG).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# The request log (logger index.request, one line per request) is at INFO: on unless
# LOG_REQUESTS=0. Health and metrics requests are logged only with LOG_HEALTH_REQUESTS=1.
LOG_REQUESTS = env_bool("LOG_REQUESTS", True)
LOG_HEALTH_REQUESTS = env_bool("LOG_HEALTH_REQUESTS", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"()": "core.logs.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Requests and refused uploads: INFO lines whatever LOG_LEVEL says for the rest.
        "index": {"handlers": ["console"], "level": "INFO" if LOG_REQUESTS else "WARNING", "propagate": False},
    },
}
# Error reporting: sentry-sdk, only when SENTRY_DSN is set. No personal data is sent
# (send_default_pii off: no cookies, user or client address).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

# Download statistics (stats/): Django appends one JSON line per download it serves or redirects
# to DOWNLOAD_LOG_PATH; nginx writes the same lines to its `downloads` access log (deploy/nginx.conf).
# `manage.py update_download_stats` (every minute, deploy/) counts every log in DOWNLOAD_LOGS and
# folds daily rows older than DOWNLOAD_STATS_DAILY_DAYS (18 months) into monthly ones.
# DOWNLOAD_LOG_PATH="" turns Django's counting off (e.g. when a CDN's logs are counted instead).
DOWNLOAD_LOG_PATH = os.environ.get("DOWNLOAD_LOG_PATH", str(VAR_DIR / "downloads.log"))
DOWNLOAD_LOG_PATHS = env_list("DOWNLOAD_LOGS", [DOWNLOAD_LOG_PATH] if DOWNLOAD_LOG_PATH else [])
DOWNLOAD_STATS_DAILY_DAYS = int(os.environ.get("DOWNLOAD_STATS_DAILY_DAYS", "548"))

# Sponsors (sponsors/): the address /sponsors/ gives for becoming one.
SPONSORS_CONTACT_EMAIL = os.environ.get("SPONSORS_CONTACT_EMAIL", "")
