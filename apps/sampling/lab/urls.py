"""URL patterns of sampling/lab (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path, re_path

from . import views, views_disposals, views_import

urlpatterns = [
    path("lab/", views.sample_list, name="lab_samples"),
    path("lab/samples/<int:pk>/", views.sample_detail, name="lab_sample"),
    path("lab/samples/<int:pk>/receive/", views.sample_receive, name="lab_receive"),
    path("lab/samples/<int:pk>/results/", views.results_entry, name="lab_results_entry"),
    path("lab/results/", views.result_list, name="lab_results"),
    path("lab/import/", views_import.import_start, name="lab_import"),
    path("lab/import/template.xlsx", views_import.import_template, name="lab_import_template"),
    re_path(r"^lab/import/(?P<upload_id>[0-9a-f]{32})/$", views_import.import_report, name="lab_import_report"),
    re_path(
        r"^lab/import/(?P<upload_id>[0-9a-f]{32})/confirm/$", views_import.import_confirm, name="lab_import_confirm"
    ),
    path("disposals/", views_disposals.disposal_list, name="disposals"),
    path("disposals/<int:pk>/", views_disposals.disposal_detail, name="disposal_detail"),
    path("disposals/<int:pk>/<slug:step>/", views_disposals.disposal_step, name="disposal_step"),  # unknown step: 404
]
