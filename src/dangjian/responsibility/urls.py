"""/responsibility/…: one namespace; the hub and overview (urls_home), the responsibility
lists (urls_duties) and the work points and tasks (urls_tasks) in their own modules."""

from dangjian.responsibility import urls_duties, urls_home, urls_tasks

app_name = "responsibility"

urlpatterns = [
    *urls_home.urlpatterns,
    *urls_duties.urlpatterns,
    *urls_tasks.urlpatterns,
]
