from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "dangjian.legal"
    verbose_name = "法律服务"
