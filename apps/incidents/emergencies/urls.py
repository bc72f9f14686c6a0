"""URL patterns of incidents/emergencies (included by apps/incidents/urls.py under the "incidents" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("incidents/export/", views.IncidentExportView.as_view(), name="incident_export"),
    path(
        "incidents/export/<uuid:job_id>/", views.IncidentExportDownloadView.as_view(), name="incident_export_download"
    ),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.IncidentEditView.as_view(), name="incident_edit"),
    path("incidents/<int:pk>/report/", views.IncidentReportView.as_view(), name="incident_report"),
    path("incidents/<int:pk>/action/", views.IncidentActionView.as_view(), name="incident_action"),
    path("incidents/<int:pk>/level/", views.IncidentLevelView.as_view(), name="incident_level"),
    path("incidents/<int:pk>/close/", views.IncidentCloseView.as_view(), name="incident_close"),
]
