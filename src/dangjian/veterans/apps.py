from django.apps import AppConfig


class VeteransConfig(AppConfig):
    name = "dangjian.veterans"
    verbose_name = "老干部服务"
