"""Public project pages and the maintainer portal."""

from django.urls import path, re_path
from django.views.generic import TemplateView

from core.readonly import read_only

from .views import project, public, reports, search
from .views.feeds import LatestUpdatesFeed, NewestPackagesFeed, ProjectReleasesFeed
from .views.manage import collaborators as manage_collaborators
from .views.manage import invitations as manage_invitations
from .views.manage import projects as manage_projects
from .views.manage import settings as manage_settings

urlpatterns = [
    # The home page takes no form posts: a POST there is an upload sent to the site's root.
    path("", read_only(public.home), name="home"),
    path("project/<str:name>/", project.project_detail, name="project_detail"),
    # A version always contains a digit, so /project/<name>/report/ and the like never match here.
    re_path(r"^project/(?P<name>[^/]+)/(?P<version>[^/]*[0-9][^/]*)/$", project.release_detail, name="release_detail"),
    path("search/", search.search, name="search"),
    path("classifiers/", search.classifier_list, name="classifiers"),
    path("rss/updates.xml", LatestUpdatesFeed(), name="rss_updates"),
    path("rss/packages.xml", NewestPackagesFeed(), name="rss_packages"),
    path("rss/project/<str:name>/releases.xml", ProjectReleasesFeed(), name="rss_project_releases"),
    path("help/", TemplateView.as_view(template_name="pages/help.html"), name="help"),
    path("policy/privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path(
        "policy/code-of-conduct/",
        TemplateView.as_view(template_name="pages/code_of_conduct.html"),
        name="code_of_conduct",
    ),
    # Maintainer portal.
    path("manage/projects/", manage_projects.projects, name="manage_projects"),
    path("manage/invitations/", manage_invitations.invitations, name="manage_invitations"),
    path("manage/invitations/<int:invitation_id>/accept/", manage_invitations.accept, name="manage_invitation_accept"),
    path(
        "manage/invitations/<int:invitation_id>/decline/", manage_invitations.decline, name="manage_invitation_decline"
    ),
    path("manage/invitations/<str:token>/", manage_invitations.invitation_by_token, name="manage_invitation_token"),
    path("manage/project/<str:name>/", manage_projects.project_releases, name="manage_project"),
    path("manage/project/<str:name>/releases/", manage_projects.project_releases, name="manage_project_releases"),
    path("manage/project/<str:name>/release/<str:version>/", manage_projects.release, name="manage_release"),
    path("manage/project/<str:name>/release/<str:version>/yank/", manage_projects.yank, name="manage_release_yank"),
    path(
        "manage/project/<str:name>/release/<str:version>/unyank/", manage_projects.unyank, name="manage_release_unyank"
    ),
    path(
        "manage/project/<str:name>/release/<str:version>/delete/",
        manage_projects.delete_release,
        name="manage_release_delete",
    ),
    path(
        "manage/project/<str:name>/release/<str:version>/file/<int:file_id>/delete/",
        manage_projects.delete_file,
        name="manage_file_delete",
    ),
    path("manage/project/<str:name>/history/", manage_projects.history, name="manage_project_history"),
    path("manage/project/<str:name>/collaborators/", manage_collaborators.collaborators, name="manage_collaborators"),
    path("manage/project/<str:name>/collaborators/invite/", manage_collaborators.invite, name="manage_invite"),
    path(
        "manage/project/<str:name>/collaborators/<int:role_id>/role/",
        manage_collaborators.change_role,
        name="manage_change_role",
    ),
    path(
        "manage/project/<str:name>/collaborators/<int:role_id>/remove/",
        manage_collaborators.remove,
        name="manage_remove_role",
    ),
    path(
        "manage/project/<str:name>/invitations/<int:invitation_id>/revoke/",
        manage_collaborators.revoke_invitation,
        name="manage_revoke_invitation",
    ),
    path("manage/project/<str:name>/settings/", manage_settings.project_settings, name="manage_project_settings"),
    path("manage/project/<str:name>/settings/status/", manage_settings.set_status, name="manage_project_status"),
    path("manage/project/<str:name>/settings/privacy/", manage_settings.set_private, name="manage_project_privacy"),
    path("manage/project/<str:name>/settings/delete/", manage_settings.delete_project, name="manage_project_delete"),
    path("project/<str:name>/report/", reports.report_project, name="project_report"),
]
