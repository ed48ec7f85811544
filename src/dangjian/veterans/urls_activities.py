"""/veterans/… pages of the activities: the hub with the overview (`home`), the 银龄志愿服务队
with their members and activities, the studios and 老党员之家, the care sessions, the
exemplars with their mediation cases, and the exports."""

from django.urls import path

from dangjian.veterans import views_activities as va
from dangjian.veterans import views_activities_places as vpl
from dangjian.veterans import views_activities_teams as vt

urlpatterns: list = [
    path("", va.home, name="home"),
    path("activities/export/<str:kind>/", va.export, name="activities_export"),
    # teams
    path("teams/", vt.team_list, name="teams"),
    path("teams/activities/", vt.activity_list, name="activities"),
    path("teams/new/", vt.team_create, name="team_create"),
    path("teams/<int:team_id>/", vt.team_detail, name="team"),
    path("teams/<int:team_id>/edit/", vt.team_edit, name="team_edit"),
    path("teams/<int:team_id>/disband/", vt.team_disband, name="team_disband"),
    path("teams/<int:team_id>/members/", vt.member_add, name="team_member_add"),
    path("teams/<int:team_id>/activities/", vt.activity_create, name="team_activity_add"),
    path("memberships/<int:membership_id>/leave/", vt.member_leave, name="team_member_leave"),
    # studios and homes
    path("studios/", vpl.studio_list, name="studios"),
    path("studios/new/", vpl.studio_create, name="studio_create"),
    path("studios/<int:studio_id>/", vpl.studio_detail, name="studio"),
    path("studios/<int:studio_id>/edit/", vpl.studio_edit, name="studio_edit"),
    path(
        "studios/<int:studio_id>/activities/", vpl.studio_activity_add, name="studio_activity_add"
    ),
    # care sessions
    path("care/", vpl.care_list, name="care"),
    path("care/new/", vpl.care_create, name="care_create"),
    # exemplars and their cases
    path("exemplars/", vpl.exemplar_list, name="exemplars"),
    path("exemplars/new/", vpl.exemplar_create, name="exemplar_create"),
    path("exemplars/<int:exemplar_id>/", vpl.exemplar_detail, name="exemplar"),
    path("exemplars/<int:exemplar_id>/edit/", vpl.exemplar_edit, name="exemplar_edit"),
    path("exemplars/<int:exemplar_id>/cases/", vpl.case_add, name="case_add"),
    path("cases/<int:case_id>/edit/", vpl.case_edit, name="case_edit"),
]
