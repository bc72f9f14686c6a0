"""/dashboard/reports/: the monthly and annual reports (namespace ``dashboard_reports``; docs/reports.md)."""

from django.urls import path

from . import views_reports as views

app_name = "dashboard_reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("generate/", views.ReportRequestView.as_view(), name="generate"),
    path("<int:pk>/<str:fmt>/", views.ReportDownloadView.as_view(), name="download"),
]
