"""Security history and notices from allauth's and Django's signals (connected in apps.py)."""

from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db.models import signals as model_signals
from django.dispatch import receiver

from .models import SecurityEvent
from .services import notify, record_security_event, sync_user_email

Tag = SecurityEvent.Tag


@receiver(auth_signals.user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    # Django's signal fires only once the login is complete, i.e. after the second factor.
    record_security_event(user, Tag.LOGIN, request, two_factor=user.has_two_factor())


@receiver(auth_signals.user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None and user.pk is not None:  # no pk: the account was just deleted
        record_security_event(user, Tag.LOGOUT, request)


@receiver(mfa_signals.authentication_failed)
def on_second_factor_failed(sender, request, user, authenticator, **kwargs):
    reauth = kwargs.get("reauthentication", False)
    record_security_event(
        user, Tag.LOGIN_FAILED, request, reason="wrong two-factor code", method=authenticator.type, reauth=reauth
    )


@receiver(account_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    record_security_event(user, Tag.PASSWORD_CHANGED, request)


@receiver(account_signals.password_set)
def on_password_set(sender, request, user, **kwargs):
    record_security_event(user, Tag.PASSWORD_CHANGED, request, first_password=True)


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    record_security_event(user, Tag.PASSWORD_RESET, request)


@receiver(account_signals.email_added)
def on_email_added(sender, request, user, email_address, **kwargs):
    record_security_event(user, Tag.EMAIL_ADDED, request, email=email_address.email)
    # allauth has no "address added" notice; the primary address hears about it.
    notify(user, "account/email/email_added", request, added_email=email_address.email)


@receiver(account_signals.email_removed)
def on_email_removed(sender, request, user, email_address, **kwargs):
    record_security_event(user, Tag.EMAIL_REMOVED, request, email=email_address.email)


@receiver(account_signals.email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    record_security_event(email_address.user, Tag.EMAIL_VERIFIED, request, email=email_address.email)


@receiver(account_signals.email_changed)
def on_primary_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    record_security_event(
        user,
        Tag.EMAIL_PRIMARY,
        request,
        old=from_email_address.email if from_email_address else "",
        new=to_email_address.email,
    )


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    record_security_event(user, Tag.MFA_ADDED, request, method=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    record_security_event(user, Tag.MFA_REMOVED, request, method=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    record_security_event(user, Tag.RECOVERY_CODES, request, method=authenticator.type)


@receiver(model_signals.post_save, sender=EmailAddress)
@receiver(model_signals.post_delete, sender=EmailAddress)
def on_email_address_saved(sender, instance, **kwargs):
    # Whoever changes an address (allauth, the admin, a command), User.email follows the
    # verified primary one: it is what Django's own code and the admin show and search.
    sync_user_email(instance.user_id)
