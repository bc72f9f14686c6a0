"""Excel import pages, included under ``enterprises/import/`` in the ``enterprises`` namespace."""

from django.urls import path, re_path

from . import views_import

urlpatterns = [
    path("", views_import.import_start_view, name="import"),
    path("template.xlsx", views_import.import_template_view, name="import_template"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/$", views_import.import_report_view, name="import_report"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/errors\.xlsx$", views_import.import_errors_view, name="import_errors"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/confirm/$", views_import.import_confirm_view, name="import_confirm"),
]
