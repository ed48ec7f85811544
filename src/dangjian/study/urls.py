"""/study/…: one namespace, the pages of each area in its own module."""

from django.urls import path

from dangjian.study import urls_library, urls_points, urls_sessions, views_home

app_name = "study"

urlpatterns = [
    path("", views_home.home, name="home"),
    *urls_sessions.urlpatterns,
    *urls_library.urlpatterns,
    *urls_points.urlpatterns,
]
