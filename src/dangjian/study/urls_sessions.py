"""/study/… pages of plans, sessions, credit hours, trainings and statistics; the namespace
`study` is set in study/urls.py."""

from django.urls import path

from dangjian.study import views_sessions as v

urlpatterns = [
    path("plans/", v.plans, name="plans"),
    path("plans/<int:plan_id>/", v.plan, name="plan"),
    path("plans/<int:plan_id>/items/", v.plan_item_add, name="plan_item_add"),
    path(
        "plans/<int:plan_id>/items/<int:item_id>/delete/",
        v.plan_item_delete,
        name="plan_item_delete",
    ),
    path("sessions/", v.sessions, name="sessions"),
    path("sessions/new/", v.session_new, name="session_new"),
    path("sessions/<int:session_id>/", v.session, name="session"),
    path("sessions/attach/<int:meeting_id>/", v.session_attach, name="session_attach"),
    path("hours/", v.hours, name="hours"),
    path("hours/me/", v.my_hours, name="my_hours"),
    path("hours/members/<int:member_id>/", v.member_hours, name="member_hours"),
    path("exemptions/", v.exemption_grant, name="exemption_grant"),
    path("exemptions/<int:exemption_id>/revoke/", v.exemption_revoke, name="exemption_revoke"),
    path("trainings/", v.trainings, name="trainings"),
    path("trainings/new/", v.training_new, name="training_new"),
    path("trainings/<int:training_id>/decide/", v.training_decide, name="training_decide"),
    path("trainings/<int:training_id>/proof/", v.training_proof, name="training_proof"),
    path("stats/", v.stats, name="stats"),
    path("reports/export/<str:kind>/", v.export, name="report_export"),
]
