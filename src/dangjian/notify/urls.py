from django.urls import path

from dangjian.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:item_id>/open/", views.notification_open, name="open"),
    path("<int:item_id>/read/", views.notification_read, name="read"),
    path("<int:item_id>/done/", views.notification_done, name="done"),
]
