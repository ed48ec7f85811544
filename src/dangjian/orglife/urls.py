from django.urls import path

from dangjian.orglife import views, views_copies, views_extra, views_rollup

app_name = "orglife"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("orgs/<int:org_id>/plan/", views.meeting_plan, name="plan"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("meetings/<int:meeting_id>/record/", views.meeting_record, name="record"),
    path("meetings/<int:meeting_id>/archive/", views.meeting_archive, name="archive"),
    path("meetings/<int:meeting_id>/correct/", views.meeting_correct, name="correct"),
    path("meetings/<int:meeting_id>/makeups/", views.makeup_assign, name="makeup_assign"),
    path(
        "meetings/<int:meeting_id>/makeups/<int:makeup_id>/complete/",
        views.makeup_complete,
        name="makeup_complete",
    ),
    path("meetings/<int:meeting_id>/resolutions/", views.resolution_add, name="resolution_add"),
    path(
        "meetings/<int:meeting_id>/resolutions/<int:resolution_id>/progress/",
        views.resolution_progress,
        name="resolution_progress",
    ),
    path(
        "meetings/<int:meeting_id>/resolutions/<int:resolution_id>/close/",
        views.resolution_close,
        name="resolution_close",
    ),
    path("meetings/<int:meeting_id>/votes/", views_extra.vote_record, name="vote_record"),
    path("meetings/<int:meeting_id>/attachments/", views_extra.attachments, name="attachments"),
    path(
        "meetings/<int:meeting_id>/attachments/<int:attachment_id>/",
        views_extra.attachment_download,
        name="attachment_download",
    ),
    path(
        "meetings/<int:meeting_id>/attachments/<int:attachment_id>/remove/",
        views_extra.attachment_remove,
        name="attachment_remove",
    ),
    path("meetings/<int:meeting_id>/appraisal/", views_extra.appraisal, name="appraisal"),
    path("orgs/<int:org_id>/talks/", views_extra.talks, name="talks"),
    path("orgs/<int:org_id>/talks/coverage/", views_extra.talk_coverage, name="talk_coverage"),
    path("copies/", views_copies.copy_list, name="copies"),
    path("copies/<int:pair_id>/", views_copies.copy_pair, name="copy_pair"),
    path("resolutions/", views_rollup.resolution_rollup, name="resolutions"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:code>/", views.sign_in, name="sign_in_code"),
]
