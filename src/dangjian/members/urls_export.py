"""URLs of the export topic (included by members/urls.py under export/)."""

from django.urls import path

from dangjian.members import views_export

urlpatterns = [
    path("", views_export.roster_export, name="export"),
    path("<int:member_id>/form.docx", views_export.member_form_docx, name="member_form_docx"),
]
