"""URLs of exports (mounted at /exports/ by dangjian/urls.py)."""

from django.urls import path

from dangjian.core import views_export as views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:job_id>/", views.export_job, name="job"),
    path("<int:job_id>/progress/", views.export_job_progress, name="progress"),
    path("<int:job_id>/download/", views.export_download, name="download"),
]
