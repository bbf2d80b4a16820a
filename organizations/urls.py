"""/org/<name>/ (public) and the organizations' part of the portal under /manage/."""

from django.urls import path
from django.views.generic import RedirectView

from .views import members, projects, public, settings, teams, yours

ORG = "manage/organization/<str:name>/"
TEAM = ORG + "team/<str:team>/"

urlpatterns = [
    path("org/<str:name>/", public.organization_page, name="organization_page"),
    path("manage/organizations/", yours.organizations, name="organizations_yours"),
    path("manage/organizations/apply/", yours.apply, name="organization_apply"),
    path("manage/organizations/invitations/<int:invitation_id>/accept/", yours.accept, name="organization_accept"),
    path("manage/organizations/invitations/<int:invitation_id>/decline/", yours.decline, name="organization_decline"),
    path("manage/organizations/invitations/<str:token>/", yours.invitation_by_token, name="organization_invitation"),
    path(ORG, RedirectView.as_view(pattern_name="organization_projects"), name="organization_manage"),
    path(ORG + "projects/", projects.projects, name="organization_projects"),
    path(ORG + "projects/new/", projects.create_project, name="organization_project_new"),
    path(ORG + "projects/add/", projects.move_in, name="organization_project_add"),
    path(ORG + "projects/<str:project>/remove/", projects.move_out, name="organization_project_remove"),
    path(ORG + "members/", members.members, name="organization_members"),
    path(ORG + "members/invite/", members.invite, name="organization_invite"),
    path(ORG + "members/<int:role_id>/role/", members.change_role, name="organization_member_role"),
    path(ORG + "members/<int:role_id>/remove/", members.remove, name="organization_member_remove"),
    path(ORG + "invitations/<int:invitation_id>/revoke/", members.revoke_invitation, name="organization_revoke"),
    path(ORG + "teams/", teams.teams, name="organization_teams"),
    path(ORG + "teams/create/", teams.create_team, name="organization_team_create"),
    path(TEAM, teams.team, name="organization_team"),
    path(TEAM + "delete/", teams.delete_team, name="organization_team_delete"),
    path(TEAM + "members/add/", teams.add_member, name="organization_team_member_add"),
    path(TEAM + "members/<int:membership_id>/remove/", teams.remove_member, name="organization_team_member_remove"),
    path(TEAM + "projects/set/", teams.set_project_role, name="organization_team_project_set"),
    path(TEAM + "projects/<int:role_id>/remove/", teams.remove_project_role, name="organization_team_project_remove"),
    path(ORG + "settings/", settings.organization_settings, name="organization_settings"),
    path(ORG + "history/", settings.history, name="organization_history"),
]
