"""Has this session passed a second factor, and may a staff member open the admin?

Staff sign in through allauth's login (its 2FA step, its rate limits): the admin's own login
page only redirects there. With STAFF_REQUIRE_2FA (on by default) no admin page opens until
the account has two-factor authentication and this session has passed it; only the accounts
named in STAFF_2FA_EXEMPT, and only while DEBUG is on (`make run`'s demo user), skip that.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


def session_has_second_factor(request):
    """True when this session's login (or a later re-authentication) included a second factor."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def missing_second_factor(request):
    """True when the user has 2FA but this session never passed it (a sensitive action must wait)."""
    return request.user.has_two_factor() and not session_has_second_factor(request)


def exempt_from_staff_2fa(user):
    return settings.DEBUG and user.get_username() in settings.STAFF_2FA_EXEMPT


def staff_second_factor_ok(request):
    user = request.user
    if not settings.STAFF_REQUIRE_2FA or exempt_from_staff_2fa(user):
        return True
    return user.has_two_factor() and session_has_second_factor(request)


def redirect_to_second_factor(request, next_url):
    """Where a user goes who must (set up or) pass the second factor before `next_url`."""
    if request.user.has_two_factor():
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
    return redirect(f"{reverse('mfa_index')}?{urlencode({'next': next_url})}")


class SecondFactorMiddleware:
    """Sensitive pages (settings.SECOND_FACTOR_PATHS: tokens, e-mail, password, account and
    project management) need a session that passed the second factor, when the account has one.

    A normal login always does (allauth's 2FA step); this holds the line for any session that
    did not, e.g. one that was open before the account turned 2FA on: it enters the code once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(tuple(settings.SECOND_FACTOR_PATHS))
            and request.user.is_authenticated
            and missing_second_factor(request)
        ):
            return redirect_to_second_factor(request, request.get_full_path())
        return self.get_response(request)
