from django.urls import path

from . import views

urlpatterns = [
    path("_health/", views.live, name="health_live"),
    path("_health/ready", views.ready, name="health_ready"),
    path("metrics", views.metrics, name="metrics"),
]
