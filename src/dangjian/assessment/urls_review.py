"""URLs of 述职评议 (mounted at /reviews/ by dangjian/urls.py)."""

from django.urls import path

from dangjian.assessment import views_review as views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/voters/", views.review_voters, name="voters"),
    path("<int:pk>/open/", views.review_open, name="open"),
    path("<int:pk>/close/", views.review_close, name="close"),
    path("<int:pk>/comments/", views.review_comments, name="comments"),
    path("<int:pk>/reports/add/", views.report_add, name="report_add"),
    path("<int:pk>/reports/<int:report_id>/", views.report_page, name="report"),
    path("<int:pk>/reports/<int:report_id>/file/", views.report_file, name="report_file"),
    path("<int:pk>/reports/<int:report_id>/comment/", views.report_comment, name="report_comment"),
    path("<int:pk>/reports/<int:report_id>/remove/", views.report_remove, name="report_remove"),
    path("<int:pk>/rectifications/", views.rectifications, name="rectifications"),
    path(
        "<int:pk>/rectifications/<int:item_id>/done/",
        views.rectification_done,
        name="rectification_done",
    ),
    path("<int:pk>/export/", views.review_export, name="export"),
]
