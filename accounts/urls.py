"""Account pages beyond allauth's own: profiles, account settings, tokens, security history."""

from django.urls import path

from . import views

urlpatterns = [
    path("user/<str:username>/", views.profile, name="user_profile"),
    path("account/password-check/", views.password_check, name="account_password_check"),
    path("manage/account/", views.account_settings, name="account_settings"),
    path("manage/account/tokens/", views.tokens, name="account_tokens"),
    path("manage/account/tokens/new/", views.create_token, name="account_token_create"),
    path("manage/account/tokens/<int:pk>/revoke/", views.revoke_token, name="account_token_revoke"),
    path("manage/account/security/", views.security_history, name="account_security"),
    path("manage/account/delete/", views.delete_account, name="account_delete"),
]

# Mounted under /account/ ahead of allauth's URLs (see pypiapp/urls.py): replacements for a few of its views.
allauth_overrides = [
    path("confirm-email/<str:key>/", views.ConfirmEmailView.as_view(), name="account_confirm_email"),
]
