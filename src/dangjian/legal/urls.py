"""/legal/…: the 司法局's legal services. Firms, lawyers, village lawyers, advisers, legal aid,
activities, the 246 system and the overview (urls_services); the 四张清单 kept by the 司法局
(urls_lists). The public search of the lists is under /public/lenient-lists/ (urls_public).
See docs/legal.md."""

from dangjian.legal import urls_lists, urls_services

app_name = "legal"

urlpatterns = [*urls_services.urlpatterns, *urls_lists.urlpatterns]
