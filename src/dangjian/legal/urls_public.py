"""/public/lenient-lists/: the public search of the published 四张清单 (no login)."""

from django.urls import path

from dangjian.legal import views_public

app_name = "lenient_public"

urlpatterns = [path("", views_public.search, name="search")]
