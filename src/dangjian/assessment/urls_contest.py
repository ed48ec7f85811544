"""URLs of the 书记赛党建 contest (mounted at /contests/ by dangjian/urls.py)."""

from django.urls import path

from dangjian.assessment import views_contest as views

app_name = "contests"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("new/", views.contest_create, name="create"),
    path("<int:pk>/", views.contest_detail, name="detail"),
    path("<int:pk>/edit/", views.contest_edit, name="edit"),
    path("<int:pk>/entries/", views.contest_entries, name="entries"),
    path("<int:pk>/entries/<int:entry_id>/remove/", views.entry_remove, name="entry_remove"),
    path("<int:pk>/publish/", views.contest_publish, name="publish"),
    path("<int:pk>/unpublish/", views.contest_unpublish, name="unpublish"),
    path("<int:pk>/export/", views.contest_export, name="export"),
]
