"""The 司法局's legal-services pages under /legal/ (the 四张清单 pages are urls_lists.py). The
url names avoid the `list…` / `item…` prefixes of the lists' pages."""

from django.urls import path

from dangjian.legal import views_services as v
from dangjian.legal import views_services_aid as va

urlpatterns: list = [
    path("", v.home, name="home"),
    path("firms/", v.firms, name="firms"),
    path("firms/new/", v.firm_new, name="firm_new"),
    path("firms/<int:firm_id>/edit/", v.firm_edit, name="firm_edit"),
    path("lawyers/", v.lawyers, name="lawyers"),
    path("lawyers/new/", v.lawyer_new, name="lawyer_new"),
    path("lawyers/<int:lawyer_id>/edit/", v.lawyer_edit, name="lawyer_edit"),
    path("villages/", v.villages, name="villages"),
    path("villages/assign/", v.village_assign, name="village_assign"),
    path("villages/lawyers/<int:assignment_id>/", v.assignment, name="assignment"),
    path("villages/lawyers/<int:assignment_id>/log/", v.assignment_log, name="assignment_log"),
    path("villages/lawyers/<int:assignment_id>/end/", v.assignment_end, name="assignment_end"),
    path("advisers/", v.advisers, name="advisers"),
    path("advisers/posts/new/", v.post_new, name="post_new"),
    path("advisers/posts/<int:post_id>/appoint/", v.adviser_appoint, name="adviser_appoint"),
    path("advisers/<int:adviser_id>/end/", v.adviser_end, name="adviser_end"),
    path("aid/", va.cases, name="cases"),
    path("aid/new/", va.case_new, name="case_new"),
    path("aid/<int:case_id>/", va.case_detail, name="case"),
    path("aid/<int:case_id>/<slug:action>/", va.case_action, name="case_action"),
    path("activities/", va.activities, name="activities"),
    path("activities/new/", va.activity_new, name="activity_new"),
    path("system/", va.system, name="system"),
    path("system/new/", va.system_item_new, name="system_new"),
    path("system/<int:item_id>/edit/", va.system_item_edit, name="system_edit"),
    path("system/<int:item_id>/delete/", va.system_item_delete, name="system_delete"),
    path("system/<int:item_id>/move/<slug:direction>/", va.system_item_move, name="system_move"),
    path("services/export/<slug:kind>/", v.export, name="services_export"),
]
