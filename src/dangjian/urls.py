from django.urls import include, path

from dangjian.api import api
from dangjian.core.views import healthz
from dangjian.orglife import urls_ledger

urlpatterns = [
    path("", include("dangjian.accounts.urls")),
    path("", include("dangjian.core.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("exports/", include("dangjian.core.urls_export")),
    path("security/", include("dangjian.accounts.urls_security")),
    path("orglife/docs/", include("dangjian.orglife.urls_ledger")),
    path("public/orglife/calendar/", include((urls_ledger.feed_patterns, "orglife_feed"))),
    path("orglife/", include("dangjian.orglife.urls")),
    path("compliance/", include("dangjian.orglife.urls_compliance")),
    path("todo/", include("dangjian.notify.urls")),
    path("assessment/", include("dangjian.assessment.urls_schemes")),
    path("observation/", include("dangjian.assessment.urls_observation")),
    path("contests/", include("dangjian.assessment.urls_contest")),
    path("reviews/", include("dangjian.assessment.urls_review")),
    path("integrity/", include("dangjian.integrity.urls")),
    path("dues/reconcile/", include("dangjian.dues.urls_reconcile")),
    path("dues/", include("dangjian.dues.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("study/", include("dangjian.study.urls")),
    path("responsibility/", include("dangjian.responsibility.urls")),
    path("cocreation/", include("dangjian.cocreation.urls")),
    path("veterans/", include("dangjian.veterans.urls")),
    path("legal/", include("dangjian.legal.urls")),
    path("public/lenient-lists/", include("dangjian.legal.urls_public")),
    path("settings/calendar/", include("dangjian.core.urls_calendar")),
    path("api/", api.urls),
    path("healthz", healthz),
]
