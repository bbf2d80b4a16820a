"""Account pages beyond allauth's own: profile, settings, API tokens, security history."""

from .confirm import ConfirmEmailView
from .manage import account_settings, delete_account, security_history
from .password import password_check
from .profile import profile
from .tokens import create_token, revoke_token, tokens

__all__ = [
    "ConfirmEmailView",
    "account_settings",
    "create_token",
    "delete_account",
    "password_check",
    "profile",
    "revoke_token",
    "security_history",
    "tokens",
]
