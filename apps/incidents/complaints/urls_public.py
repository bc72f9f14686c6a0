"""一公开: the public complaint pages (no login), mounted under /public/complaints/ by haining_foodsafety/urls.py."""

from django.urls import path

from . import views_public as views

app_name = "public_complaints"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("status/", views.status, name="status"),
]
