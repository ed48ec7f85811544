"""URLs of 清廉机关 (mounted at /integrity/)."""

from django.urls import path

from dangjian.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.index, name="index"),
    path("risks/", views.risk_list, name="risks"),
    path("risks/new/", views.risk_create, name="risk_create"),
    path("risks/<int:risk_id>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:risk_id>/retire/", views.risk_retire, name="risk_retire"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("commitments/", views.commitments_default, name="commitments"),
    path("orgs/<int:org_id>/commitments/", views.branch_commitments, name="branch_commitments"),
    path(
        "orgs/<int:org_id>/commitments/record/",
        views.commitment_record,
        name="commitment_record",
    ),
    path("commitments/<int:commitment_id>/", views.commitment_detail, name="commitment"),
    path(
        "commitments/<int:commitment_id>/revoke/",
        views.commitment_revoke,
        name="commitment_revoke",
    ),
    path("my/", views.my_commitment, name="my"),
    path("export/<str:kind>/", views.export, name="export"),
]
