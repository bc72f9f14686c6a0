"""URL patterns of sampling/lab (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path, re_path

from . import views, views_disposals, views_import

urlpatterns = [
    path("lab/", views.LabSampleListView.as_view(), name="lab_samples"),
    path("lab/samples/<int:pk>/", views.SampleDetailView.as_view(), name="lab_sample"),
    path("lab/samples/<int:pk>/receive/", views.SampleReceiveView.as_view(), name="lab_receive"),
    path("lab/samples/<int:pk>/results/", views.ResultsEntryView.as_view(), name="lab_results_entry"),
    path("lab/results/", views.ResultListView.as_view(), name="lab_results"),
    path("lab/import/", views_import.ImportStartView.as_view(), name="lab_import"),
    path("lab/import/template.xlsx", views_import.ImportTemplateView.as_view(), name="lab_import_template"),
    re_path(
        r"^lab/import/(?P<upload_id>[0-9a-f]{32})/$", views_import.ImportReportView.as_view(), name="lab_import_report"
    ),
    re_path(
        r"^lab/import/(?P<upload_id>[0-9a-f]{32})/confirm/$",
        views_import.ImportConfirmView.as_view(),
        name="lab_import_confirm",
    ),
    path("disposals/", views_disposals.DisposalListView.as_view(), name="disposals"),
    path("disposals/<int:pk>/", views_disposals.DisposalDetailView.as_view(), name="disposal_detail"),
    path(
        "disposals/<int:pk>/<slug:step>/", views_disposals.DisposalStepView.as_view(), name="disposal_step"
    ),  # unknown step: 404
]
