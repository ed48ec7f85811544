"""/cocreation/: the hub (a placeholder until the overview lands)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.permissions import Cap


@require_GET
def home(request):
    if not has_cap_anywhere(request.user, Cap.COCREATION_MANAGE):
        raise deny()
    return render(request, "cocreation/home.html", {})
