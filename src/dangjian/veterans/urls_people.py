from django.http import HttpResponse
from django.urls import path

urlpatterns: list = [path("mine/", lambda r: HttpResponse("stub"), name="mine")]
