"""The WSGI application: installers' downloads take a shorter middleware chain.

pip and uv send only GET and HEAD requests to /simple/ and /packages/, and those views use
no session, user, CSRF token or message. Running the middleware that people's pages need
(sessions, auth, CSRF, messages, allauth, static files, admin flags) was about a fifth of
such a request's time, and an install makes three of them per package. Those requests get
settings.INSTALLER_MIDDLEWARE instead; routing, views, signals and error handling are
Django's as for every other request.
"""
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

SAFE_METHODS = ("GET", "HEAD")


class _InstallerHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        # BaseHandler builds its chain from settings.MIDDLEWARE; this runs once, at start-up.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.INSTALLER_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class Application:
    """Dispatches installers' requests to the short chain and everything else to the full one."""

    def __init__(self):
        self.full = WSGIHandler()
        self.installer = _InstallerHandler()
        self.prefixes = tuple(settings.INSTALLER_PATH_PREFIXES)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in SAFE_METHODS and environ.get("PATH_INFO", "").startswith(self.prefixes):
            return self.installer(environ, start_response)
        return self.full(environ, start_response)
