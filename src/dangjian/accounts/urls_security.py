"""The security administrator's pages, mounted at /security/ (三员分立)."""

from django.urls import path

from dangjian.accounts import views_security as views

app_name = "security"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/grants/", views.grant_create, name="grant_create"),
    path(
        "users/<int:user_id>/grants/<int:grant_id>/revoke/",
        views.grant_revoke,
        name="grant_revoke",
    ),
    path("users/<int:user_id>/password/", views.password_reset, name="password_reset"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:user_id>/enable/", views.user_enable, name="user_enable"),
    path("users/<int:user_id>/otp-reset/", views.otp_reset, name="otp_reset"),
    path("policy/", views.policy, name="policy"),
]
