"""Authentication backends that refuse frozen accounts.

Django asks `user_can_authenticate` both at login and when it loads the user of every
session, so a frozen user is refused at the login form and logged out on the next request.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend


class _RefuseFrozen:
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "is_frozen", False)


class ModelBackendRefusingFrozen(_RefuseFrozen, ModelBackend):
    pass


class AllauthBackendRefusingFrozen(_RefuseFrozen, AllauthBackend):
    @classmethod
    def _stash_user(cls, user):
        # allauth stashes users whose password matched but who may not authenticate, and then
        # logs them in if they are active. A frozen user is active, so never stash one.
        if getattr(user, "is_frozen", False):
            user = None
        return super()._stash_user(user)
