from django.http import HttpResponse
from django.urls import path

urlpatterns: list = [path("", lambda r: HttpResponse("stub"), name="home")]
