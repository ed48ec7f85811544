"""/study/notes/… (心得体会) and /study/points/… (党员积分); the namespace `study` is set in
study/urls.py."""

from django.urls import path

from dangjian.study import views_points as v

urlpatterns = [
    path("notes/", v.notes, name="notes"),
    path("notes/new/", v.note_new, name="note_new"),
    path("notes/<int:note_id>/", v.note, name="note"),
    path("notes/<int:note_id>/withdraw/", v.note_withdraw, name="note_withdraw"),
    path("points/", v.points, name="points"),
    path("points/me/", v.my_points, name="my_points"),
    path("points/members/<int:member_id>/", v.member_points, name="member_points"),
    path("points/scheme/", v.point_scheme, name="point_scheme"),
    path("points/export/", v.points_export, name="points_export"),
]
