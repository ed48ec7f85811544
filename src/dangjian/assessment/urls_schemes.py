"""Pages of scoring schemes, self-assessment and review, mounted at /assessment/.
The empty path is reserved for the assessment hub page."""

from django.urls import path

from dangjian.assessment import views_hub
from dangjian.assessment import views_schemes as v

app_name = "assess"
urlpatterns = [
    path("", views_hub.hub, name="index"),
    path("schemes/", v.scheme_list, name="scheme_list"),
    path("schemes/new/", v.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", v.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", v.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/remove/", v.scheme_remove, name="scheme_remove"),
    path("schemes/<int:pk>/copy/", v.scheme_copy, name="scheme_copy"),
    path("schemes/<int:pk>/publish/", v.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/close/", v.scheme_close, name="scheme_close"),
    path("schemes/<int:pk>/results/", v.scheme_results, name="scheme_results"),
    path("schemes/<int:pk>/results/refresh/", v.scheme_refresh, name="scheme_refresh"),
    path("schemes/<int:pk>/results/export/", v.scheme_results_export, name="scheme_export"),
    path("schemes/<int:pk>/indicators/new/", v.indicator_add, name="indicator_add"),
    path(
        "schemes/<int:pk>/indicators/<int:indicator_id>/edit/",
        v.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "schemes/<int:pk>/indicators/<int:indicator_id>/remove/",
        v.indicator_remove,
        name="indicator_remove",
    ),
    path("mine/", v.mine, name="mine"),
    path("a/<int:pk>/", v.assessment_page, name="assessment"),
    path("a/<int:pk>/scores/<int:indicator_id>/", v.score_save, name="score_save"),
    path("a/<int:pk>/scores/<int:indicator_id>/evidence/", v.evidence_add, name="evidence_add"),
    path("a/<int:pk>/evidence/<int:evidence_id>/", v.evidence_download, name="evidence_download"),
    path(
        "a/<int:pk>/evidence/<int:evidence_id>/remove/", v.evidence_remove, name="evidence_remove"
    ),
    path("a/<int:pk>/refresh/", v.assessment_refresh, name="assessment_refresh"),
    path("a/<int:pk>/submit/", v.assessment_submit, name="assessment_submit"),
    path("a/<int:pk>/export/", v.assessment_export, name="assessment_export"),
    path("a/<int:pk>/review/", v.assessment_review, name="review"),
    path("a/<int:pk>/return/", v.assessment_return, name="assessment_return"),
]
