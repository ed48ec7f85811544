from django.urls import path

from dangjian.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("tree/", views.tree, name="tree"),
    path("<int:org_id>/", views.org_detail, name="detail"),
    path("<int:parent_id>/new/", views.org_create, name="create"),
    path("<int:org_id>/edit/", views.org_edit, name="edit"),
    path("<int:org_id>/move/", views.org_move, name="move"),
    path("<int:org_id>/dissolve/", views.org_dissolve, name="dissolve"),
    path("<int:org_id>/term/", views.term_record, name="term"),
    path("<int:org_id>/seats/new/", views.seat_assign, name="seat"),
    path("<int:org_id>/seats/<int:seat_id>/end/", views.seat_end, name="seat_end"),
]
