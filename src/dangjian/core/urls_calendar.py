"""The working-day calendar settings (mounted at /settings/calendar/)."""

from django.urls import path

from dangjian.core import views_calendar as views

app_name = "workcalendar"
urlpatterns = [
    path("", views.index, name="index"),
    path("delete/", views.delete, name="delete"),
]
