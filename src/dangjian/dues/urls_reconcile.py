"""URLs of reconciliation (对账, mounted at /dues/reconcile/)."""

from django.urls import path

from dangjian.dues import views_reconcile as views

app_name = "reconcile"
urlpatterns = [
    path("", views.statement_list, name="list"),
    path("upload/", views.statement_upload, name="upload"),
    path("template/", views.template, name="template"),
    path("<int:statement_id>/", views.statement_detail, name="detail"),
    path("<int:statement_id>/confirm/", views.statement_confirm, name="confirm"),
    path("<int:statement_id>/discard/", views.statement_discard, name="discard"),
    path("lines/<int:line_id>/resolve/", views.line_resolve, name="resolve"),
    path("lines/<int:line_id>/ignore/", views.line_ignore, name="ignore"),
]
