"""URLs of 党费 (mounted at /dues/; the reconciliation pages are under /dues/reconcile/)."""

from django.urls import path

from dangjian.dues import views, views_reports

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("runs/<int:run_id>/", views.run_progress, name="run"),
    path("members/<int:member_id>/", views.member_ledger, name="member"),
    path("members/<int:member_id>/pay/", views.payment_create, name="pay"),
    path("members/<int:member_id>/base/", views.base_create, name="base"),
    path("members/<int:member_id>/reductions/", views.reduction_create, name="reduction_request"),
    path("base/preview/", views.base_preview, name="base_preview"),
    path("payments/<int:payment_id>/void/", views.payment_void, name="void"),
    path("reductions/", views_reports.reductions, name="reductions"),
    path(
        "reductions/<int:reduction_id>/decide/",
        views_reports.reduction_decide,
        name="reduction_decide",
    ),
    path("reductions/<int:reduction_id>/end/", views_reports.reduction_end, name="reduction_end"),
    path(
        "reductions/<int:reduction_id>/withdraw/",
        views_reports.reduction_withdraw,
        name="reduction_withdraw",
    ),
    path("arrears/", views_reports.arrears, name="arrears"),
    path("annual/", views_reports.annual, name="annual"),
    path("publication/", views_reports.publication, name="publication"),
    path("my/", views_reports.my_dues, name="my"),
    path("export/<str:kind>/", views_reports.export, name="export"),
]
