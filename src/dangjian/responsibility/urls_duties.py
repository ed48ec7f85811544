"""Pages of the responsibility lists (责任清单), under /responsibility/duties/ (namespace
`responsibility`, set in urls.py)."""

from django.urls import path

from dangjian.responsibility import views_duties as v

urlpatterns = [
    path("duties/", v.duty_lists, name="duty_lists"),
    path("duties/new/", v.duty_list_create, name="duty_list_create"),
    path("duties/overview/", v.duty_overview, name="duty_overview"),
    path("duties/overview/export/", v.duty_overview_export, name="duty_overview_export"),
    path("duties/<int:list_id>/", v.duty_list_detail, name="duty_list"),
    path("duties/<int:list_id>/edit/", v.duty_list_edit, name="duty_list_edit"),
    path("duties/<int:list_id>/delete/", v.duty_list_delete, name="duty_list_delete"),
    path("duties/<int:list_id>/confirm/", v.duty_list_confirm, name="duty_list_confirm"),
    path("duties/<int:list_id>/copy/", v.duty_list_copy, name="duty_list_copy"),
    path("duties/<int:list_id>/export/", v.duty_list_export, name="duty_list_export"),
    path("duties/<int:list_id>/items/new/", v.duty_item_add, name="duty_item_add"),
    path("duties/items/<int:item_id>/edit/", v.duty_item_edit, name="duty_item_edit"),
    path("duties/items/<int:item_id>/delete/", v.duty_item_delete, name="duty_item_delete"),
    path("duties/items/<int:item_id>/report/", v.duty_report, name="duty_report"),
    path("duties/files/<int:file_id>/", v.duty_file, name="duty_file"),
]
