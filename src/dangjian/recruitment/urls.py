"""URLs of 发展党员 (mounted at /recruitment/)."""

from django.urls import path

from dangjian.recruitment import views, views_docs, views_steps

app_name = "recruitment"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.candidate_create, name="new"),
    path("<int:candidate_id>/", views.candidate, name="candidate"),
    path("<int:candidate_id>/steps/<str:step>/", views_steps.step_record, name="step"),
    path("<int:candidate_id>/withdraw/", views_steps.withdraw, name="withdraw"),
    path("<int:candidate_id>/documents/<str:kind>/", views_docs.document, name="document"),
    path("events/<int:event_id>/correct/", views_steps.step_correct, name="correct"),
    path("events/<int:event_id>/delete/", views_steps.step_delete, name="delete_step"),
    path("events/<int:event_id>/document/", views_docs.step_document, name="step_document"),
    path("templates/", views_docs.templates, name="templates"),
    path(
        "templates/<int:template_id>/delete/",
        views_docs.template_delete,
        name="template_delete",
    ),
    path("templates/builtin/<str:kind>/", views_docs.template_builtin, name="template_builtin"),
    path("export/", views_docs.export, name="export"),
]
