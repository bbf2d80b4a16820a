"""allauth hooks: display name at signup, and mail through dramatiq instead of inline SMTP."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from core.clientip import client_ip

from .mail import queue_message


class _SettingsSite:
    """Stands in for django.contrib.sites' RequestSite when there is no request."""

    def __init__(self):
        self.name = settings.SITE_NAME
        self.domain = urlsplit(settings.SITE_URL).netloc


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.name = (form.cleaned_data.get("name") or "").strip()
        return super().save_user(request, user, form, commit=commit)

    def is_open_for_signup(self, request):
        from packages.flags import signup_open  # the "no new user registration" kill switch

        return signup_open()

    def can_delete_email(self, email_address):
        # Notices go to the primary address and uploads need it verified: it always stays.
        return not email_address.primary and super().can_delete_email(email_address)

    def send_mail(self, template_prefix, email, context_data):
        # Same context as allauth's own send_mail, but the message is queued, not sent here.
        request = context.request
        # allauth may call this from an on-commit hook after the request is gone: fall back to settings.
        site = get_current_site(request) if request is not None else _SettingsSite()
        ctx = {
            "request": request,
            "email": email,
            "current_site": site,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        ctx.update(context_data)
        queue_message(self.render_mail(template_prefix, email, ctx))

    def get_client_ip(self, request):
        # The one notion of "the client" (core/clientip.py): allauth's rate limits key on it.
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys failed logins on the text typed; count one account across its username
        # and every e-mail address instead, so switching between them buys no extra guesses.
        from .throttles import account_key

        login = credentials.get("email") or credentials.get("username") or ""
        return account_key(login)

    def authentication_failed(self, request, **credentials):
        # Only the account name is looked at; the attempted password is never stored.
        from allauth.account.utils import filter_users_by_email, filter_users_by_username

        from .models import SecurityEvent
        from .services import record_security_event

        users = []
        if credentials.get("email"):
            users = filter_users_by_email(credentials["email"], prefer_verified=True)
        elif credentials.get("username"):
            users = list(filter_users_by_username(credentials["username"]))
        if len(users) == 1:
            record_security_event(users[0], SecurityEvent.Tag.LOGIN_FAILED, request, reason="wrong password")
