from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "dangjian.integrity"
    verbose_name = "清廉机关"
