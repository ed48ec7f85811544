from django.urls import path

from dangjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("account/two-factor/", views.two_factor_view, name="two_factor"),
    path("account/two-factor/remove/", views.two_factor_remove_view, name="two_factor_remove"),
]
