"""Ledgers and the calendar (namespace "orglife_docs", mounted at /orglife/docs/), and the
iCalendar feeds (`feed_patterns`, namespace "orglife_feed", mounted under /public/ because a
calendar app has no session: the token in the URL names the user). docs/orglife-ledgers.md."""

from django.urls import path

from dangjian.orglife import views_ledger

app_name = "orglife_docs"
urlpatterns = [
    path("ledger/", views_ledger.ledger_page, name="ledger"),
    path("calendar/", views_ledger.calendar_page, name="calendar"),
    path("calendar/mine/", views_ledger.my_calendar, name="my_calendar"),
    path("calendar/feed-reset/", views_ledger.feed_reset, name="feed_reset"),
]

#: include((feed_patterns, "orglife_feed")) at "public/orglife/calendar/"
feed_patterns = [
    path("<str:token>/mine.ics", views_ledger.my_feed, name="mine"),
    path("<str:token>/orgs/<int:org_id>.ics", views_ledger.org_feed, name="org"),
]
