from django.urls import include, path

from dangjian.api import api
from dangjian.core.views import healthz

urlpatterns = [
    path("", include("dangjian.accounts.urls")),
    path("", include("dangjian.core.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("exports/", include("dangjian.core.urls_export")),
    path("security/", include("dangjian.accounts.urls_security")),
    path("api/", api.urls),
    path("healthz", healthz),
]
