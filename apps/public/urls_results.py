"""一公开: published inspection results and the verification page a record's QR code points to (no login)."""

from django.urls import path

from . import views_results as views

app_name = "public_results"

urlpatterns = [
    path("", views.result_list, name="list"),
    path("<uuid:public_id>/", views.result_detail, name="detail"),
]
