from django.urls import path

from . import views

urlpatterns = [
    path("sponsors/", views.sponsors_page, name="sponsors"),
    path("sponsors/logo/<str:name>", views.logo, name="sponsor_logo"),
]
