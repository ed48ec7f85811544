from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    name = "dangjian.similarity"
    verbose_name = "文本相似检测"
