from django.urls import path

from . import views

urlpatterns = [
    path("manage/project/<str:name>/publishing/", views.publishing, name="oidc_publishing"),
    path("manage/project/<str:name>/publishing/add/", views.add_publisher, name="oidc_add_publisher"),
    path("manage/project/<str:name>/publishing/<int:pk>/remove/", views.remove_publisher, name="oidc_remove_publisher"),
    path("manage/account/publishing/", views.pending_publishers, name="oidc_pending"),
    path("manage/account/publishing/add/", views.add_pending, name="oidc_add_pending"),
    path("manage/account/publishing/<int:pk>/remove/", views.remove_pending, name="oidc_remove_pending"),
]
