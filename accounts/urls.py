"""Account pages beyond allauth's own: profiles, account settings, tokens, security history."""
from django.urls import path

from . import views

urlpatterns = [
    path("user/<str:username>/", views.profile, name="user_profile"),
]
