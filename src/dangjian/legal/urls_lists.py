"""/legal/lists/…: the 四张清单 kept by the 司法局 (url names start with `list` or `item`)."""

from django.urls import path

from dangjian.legal import views_lists as v

urlpatterns = [
    path("lists/", v.list_index, name="lists"),
    path("lists/new/", v.list_create, name="list_create"),
    path("lists/export/", v.lists_export, name="lists_export"),
    path("lists/<int:list_id>/", v.list_detail, name="list"),
    path("lists/<int:list_id>/edit/", v.list_edit, name="list_edit"),
    path("lists/<int:list_id>/publish/", v.list_publish, name="list_publish"),
    path("lists/<int:list_id>/unpublish/", v.list_unpublish, name="list_unpublish"),
    path("lists/<int:list_id>/import/", v.list_import, name="list_import"),
    path("lists/<int:list_id>/export/", v.list_export, name="list_export"),
    path("lists/<int:list_id>/items/new/", v.item_create, name="item_create"),
    path("items/<int:item_id>/edit/", v.item_edit, name="item_edit"),
    path("items/<int:item_id>/move/", v.item_move, name="item_move"),
    path("items/<int:item_id>/delete/", v.item_delete, name="item_delete"),
]
