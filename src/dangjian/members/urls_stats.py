"""URLs of the stats topic (included by members/urls.py)."""

from django.urls import path

from dangjian.members import views_stats

urlpatterns = [
    path("", views_stats.member_statistics, name="statistics"),
    path("xlsx/", views_stats.member_statistics_xlsx, name="statistics_xlsx"),
]
