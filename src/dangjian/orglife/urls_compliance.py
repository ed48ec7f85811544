from django.urls import path

from dangjian.orglife import views_compliance

app_name = "compliance"
urlpatterns = [
    path("", views_compliance.compliance_page, name="page"),
    path("cell/", views_compliance.compliance_cell, name="cell"),
]
