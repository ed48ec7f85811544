"""/veterans/… pages of the people: the serving cadre's own page (`mine`), the retirees,
pairings, contacts, interest groups, offices and requests, and their exports."""

from django.urls import path

from dangjian.veterans import views_people as vp
from dangjian.veterans import views_requests as vr

urlpatterns: list = [
    path("mine/", vr.mine, name="mine"),
    path("pairings/<int:pairing_id>/contacts/new/", vr.contact_new, name="contact_new"),
    path("pairings/<int:pairing_id>/requests/new/", vr.request_new, name="request_new"),
    path("pairings/", vp.pairing_list, name="pairings"),
    path("pairings/<int:pairing_id>/end/", vp.pairing_end, name="pairing_end"),
    path("retirees/", vp.retiree_list, name="retirees"),
    path("retirees/new/", vp.retiree_new, name="retiree_new"),
    path("retirees/<int:retiree_id>/", vp.retiree_detail, name="retiree"),
    path("retirees/<int:retiree_id>/edit/", vp.retiree_edit, name="retiree_edit"),
    path("retirees/<int:retiree_id>/reveal/<str:item>/", vp.retiree_reveal, name="retiree_reveal"),
    path("retirees/<int:retiree_id>/pairings/new/", vp.pairing_new, name="pairing_new"),
    path(
        "retirees/<int:retiree_id>/requests/new/",
        vr.retiree_request_new,
        name="retiree_request_new",
    ),
    path("groups/", vp.group_list, name="groups"),
    path("groups/<int:group_id>/", vp.group_detail, name="group"),
    path("offices/", vp.office_list, name="offices"),
    path("requests/", vr.request_list, name="requests"),
    path("requests/<int:request_id>/", vr.request_detail, name="request"),
    path("requests/<int:request_id>/<str:action>/", vr.request_action, name="request_action"),
    path("people/export/<str:kind>/", vr.export, name="people_export"),
]
