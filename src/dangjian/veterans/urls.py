"""/veterans/…: the retired cadres' services. The people and their pairings, contacts and
requests (urls_people), the teams, studios, care sessions, exemplars and the overview
(urls_activities). See docs/veterans.md."""

from dangjian.veterans import urls_activities, urls_people

app_name = "veterans"

urlpatterns = [*urls_activities.urlpatterns, *urls_people.urlpatterns]
