"""The hub and the 工委's overview (with its xlsx export)."""

from django.urls import path

from dangjian.responsibility import views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("overview/", views_home.overview, name="overview"),
    path("overview/export/", views_home.overview_export, name="overview_export"),
]
