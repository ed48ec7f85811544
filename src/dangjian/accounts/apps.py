from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "账户与权限"

    def ready(self):
        # the sign-in gate records at each sign-in (a user_logged_in receiver) whether the
        # user has a second factor, so requests need no query for it
        from dangjian.accounts import middleware  # noqa: F401
