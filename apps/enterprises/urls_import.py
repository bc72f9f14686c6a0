"""Excel import pages, included under ``enterprises/import/`` in the ``enterprises`` namespace."""

from django.urls import path, re_path

from . import views_import as views

urlpatterns = [
    path("", views.ImportStartView.as_view(), name="import"),
    path("template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/$", views.ImportReportView.as_view(), name="import_report"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/errors\.xlsx$", views.ImportErrorsView.as_view(), name="import_errors"),
    re_path(r"^(?P<upload_id>[0-9a-f]{32})/confirm/$", views.ImportConfirmView.as_view(), name="import_confirm"),
]
