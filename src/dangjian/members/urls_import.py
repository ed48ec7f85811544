"""URLs of the import topic (included by members/urls.py under import/)."""

from django.urls import path

from dangjian.members import views_import as views

urlpatterns = [
    path("", views.import_upload, name="import"),
    path("template/", views.import_template, name="import_template"),
    path("<int:job_id>/", views.import_job, name="import_job"),
    path("<int:job_id>/progress/", views.import_job_progress, name="import_job_progress"),
    path("<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:job_id>/report/", views.import_report, name="import_report"),
]
