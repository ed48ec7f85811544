"""/study/…: one namespace, the pages of each area in its own module."""

from dangjian.study import urls_library, urls_points, urls_sessions

app_name = "study"

urlpatterns = [*urls_sessions.urlpatterns, *urls_library.urlpatterns, *urls_points.urlpatterns]
