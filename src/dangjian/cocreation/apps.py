from django.apps import AppConfig


class CocreationConfig(AppConfig):
    name = "dangjian.cocreation"
    verbose_name = "共同缔造"
