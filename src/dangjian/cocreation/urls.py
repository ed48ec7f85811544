"""/cocreation/…: pairings, communities, projects, campaigns, visits and problems."""

from django.urls import path

from dangjian.cocreation import views_home

app_name = "cocreation"

urlpatterns = [
    path("", views_home.home, name="home"),
]
