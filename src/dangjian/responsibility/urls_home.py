"""The hub and the 工委's overview."""

from django.urls import path

from dangjian.responsibility import views_home

urlpatterns = [
    path("", views_home.home, name="home"),
]
