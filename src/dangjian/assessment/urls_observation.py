"""URLs of the observation meeting pages (mounted at /observation/)."""

from django.urls import path

from dangjian.assessment import views_observation as views

app_name = "observation"
urlpatterns = [
    path("", views.observation_list, name="list"),
    path("new/", views.observation_create, name="create"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("<int:pk>/edit/", views.observation_edit, name="edit"),
    path("<int:pk>/start/", views.observation_start, name="start"),
    path("<int:pk>/close/", views.observation_close, name="close"),
    path("<int:pk>/stops/", views.stop_add, name="stop_add"),
    path("<int:pk>/stops/<int:stop_id>/edit/", views.stop_edit, name="stop_edit"),
    path("<int:pk>/stops/<int:stop_id>/remove/", views.stop_remove, name="stop_remove"),
    path("<int:pk>/stops/<int:stop_id>/move/", views.stop_move, name="stop_move"),
    path("<int:pk>/judges/", views.judge_add, name="judge_add"),
    path("<int:pk>/judges/<int:judge_id>/assign/", views.judge_assign, name="judge_assign"),
    path("<int:pk>/judges/<int:judge_id>/remove/", views.judge_remove, name="judge_remove"),
    path("<int:pk>/participants/", views.participants_add, name="participants_add"),
    path(
        "<int:pk>/participants/<int:participant_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "<int:pk>/stops/<int:stop_id>/judges/<int:judge_id>/reopen/",
        views.sheet_reopen,
        name="sheet_reopen",
    ),
    path("<int:pk>/speeches/", views.speech_add, name="speech_add"),
    path("<int:pk>/speeches/<int:speech_id>/edit/", views.speech_edit, name="speech_edit"),
    path("<int:pk>/conclusions/", views.conclusions_set, name="conclusions"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/qr/", views.qr, name="qr"),
    path("sign-in/<str:code>/", views.sign_in, name="sign_in"),
    path("<int:pk>/judge/", views.judge_page, name="judge"),
    path("<int:pk>/live/", views.live, name="live"),
    path("<int:pk>/live/board/", views.live_board, name="live_board"),
    path("<int:pk>/report/", views.report, name="report"),
]
