from django.urls import include, path

from dangjian.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_new, name="new"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.member_edit, name="edit"),
    path("<int:member_id>/reveal/<str:item>/", views.member_reveal, name="reveal"),
    # topics with their own modules; their URL names live in the same "members" namespace
    path("import/", include("dangjian.members.urls_import")),
    path("export/", include("dangjian.members.urls_export")),
    path("transfers/", include("dangjian.members.urls_transfer")),
    path("statistics/", include("dangjian.members.urls_stats")),
]
