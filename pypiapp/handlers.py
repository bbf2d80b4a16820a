"""The WSGI application: installers' downloads take a shorter middleware chain.

pip and uv send only GET and HEAD requests to /simple/ and /packages/, and those views use
no session, user, CSRF token or message. Running the middleware that people's pages need
(sessions, auth, CSRF, messages, allauth, static files, admin flags) was about a fifth of
such a request's time, and an install makes three of them per package. Those requests get
settings.INSTALLER_MIDDLEWARE instead; routing, views, signals and error handling are
Django's as for every other request.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

SAFE_METHODS = ("GET", "HEAD")


class _InstallerHandler(WSGIHandler):
    """A WSGIHandler whose chain is settings.INSTALLER_MIDDLEWARE.

    BaseHandler.load_middleware only reads settings.MIDDLEWARE, so the chain is built here from
    the other list, the way Django builds it for a synchronous (WSGI) handler: settings are never
    changed, not even for a moment while another thread may read them."""

    def load_middleware(self, is_async=False):
        if is_async:
            raise ImproperlyConfigured("The installer chain is for WSGI (synchronous) requests only.")
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.INSTALLER_MIDDLEWARE):
            factory = import_string(path)
            if not getattr(factory, "sync_capable", True):
                raise ImproperlyConfigured(f"{path} can't run in the synchronous installer chain.")
            try:
                middleware = factory(handler)
            except MiddlewareNotUsed:
                continue
            if middleware is None:
                raise ImproperlyConfigured(f"Middleware factory {path} returned None.")
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler  # set last: Django reads it as "loaded"


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
