"""/cocreation/…: the hub, communities (one page per place), pairings with their cadres,
projects with metrics, milestones, photos and feedback, campaigns, visits and problems, and
the exports. See docs/cocreation.md."""

from django.urls import path

from dangjian.cocreation import views_home, views_places, views_projects, views_visits

app_name = "cocreation"

urlpatterns = [
    path("", views_home.home, name="home"),
    path("projects/", views_home.project_list, name="projects"),
    path("problems/", views_home.problem_list, name="problems"),
    path("export/<str:kind>/", views_home.export, name="export"),
    # places and pairings
    path("communities/", views_places.community_list, name="communities"),
    path("communities/new/", views_places.community_create, name="community_create"),
    path("communities/options/", views_places.community_options, name="community_options"),
    path("communities/<int:community_id>/", views_places.community_detail, name="community"),
    path(
        "communities/<int:community_id>/edit/",
        views_places.community_edit,
        name="community_edit",
    ),
    path("pairings/new/", views_places.pairing_create, name="pairing_create"),
    path("pairings/<int:pairing_id>/", views_places.pairing_detail, name="pairing"),
    path("pairings/<int:pairing_id>/edit/", views_places.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pairing_id>/end/", views_places.pairing_end, name="pairing_end"),
    path("pairings/<int:pairing_id>/cadres/", views_places.cadre_add, name="cadre_add"),
    path("pairings/<int:pairing_id>/members/", views_places.cadre_members, name="cadre_members"),
    path("cadres/<int:cadre_id>/end/", views_places.cadre_end, name="cadre_end"),
    # projects
    path(
        "pairings/<int:pairing_id>/projects/new/",
        views_projects.project_create,
        name="project_create",
    ),
    path("projects/<int:project_id>/", views_projects.project_detail, name="project"),
    path("projects/<int:project_id>/edit/", views_projects.project_edit, name="project_edit"),
    path("projects/<int:project_id>/metrics/", views_projects.metric_add, name="metric_add"),
    path(
        "projects/<int:project_id>/milestones/",
        views_projects.milestone_add,
        name="milestone_add",
    ),
    path(
        "milestones/<int:milestone_id>/done/",
        views_projects.milestone_done,
        name="milestone_done",
    ),
    path("projects/<int:project_id>/feedback/", views_projects.feedback_add, name="feedback_add"),
    path("feedback/<int:feedback_id>/reply/", views_projects.feedback_reply, name="feedback_reply"),
    path(
        "projects/<int:project_id>/photos/",
        views_projects.project_photo_add,
        name="project_photo_add",
    ),
    path("photos/<int:photo_id>/", views_projects.photo, name="photo"),
    path("photos/<int:photo_id>/remove/", views_projects.photo_remove, name="photo_remove"),
    # campaigns, visits and problems
    path("campaigns/", views_visits.campaign_list, name="campaigns"),
    path("campaigns/new/", views_visits.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views_visits.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", views_visits.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:campaign_id>/photos/",
        views_visits.campaign_photo_add,
        name="campaign_photo_add",
    ),
    path("pairings/<int:pairing_id>/visits/new/", views_visits.visit_create, name="visit_create"),
    path("visits/<int:visit_id>/", views_visits.visit_detail, name="visit"),
    path("visits/<int:visit_id>/photos/", views_visits.visit_photo_add, name="visit_photo_add"),
    path("visits/<int:visit_id>/problems/", views_visits.problem_add, name="problem_add"),
    path("problems/<int:problem_id>/update/", views_visits.problem_update, name="problem_update"),
]
