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
    path("api/", api.urls),
    path("healthz", healthz),
]
