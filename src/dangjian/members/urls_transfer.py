"""URLs of the transfer topic (included by members/urls.py under "transfers/")."""

from django.urls import path

from dangjian.members import views_transfer as views

urlpatterns = [
    path("", views.transfer_list, name="transfers"),
    path("start/<int:member_id>/", views.transfer_start, name="transfer_start"),
    path("<int:transfer_id>/accept/", views.transfer_accept, name="transfer_accept"),
    path("<int:transfer_id>/return/", views.transfer_return, name="transfer_return"),
    path("<int:transfer_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("leave/<int:member_id>/", views.member_leave, name="member_leave"),
    path("contact/<int:member_id>/", views.member_contact, name="member_contact"),
]
