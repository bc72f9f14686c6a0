"""URL patterns of incidents/opinion (included by apps/incidents/urls.py under the "incidents" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("opinion/", views.OpinionListView.as_view(), name="opinion_events"),
    path("opinion/new/", views.OpinionCreateView.as_view(), name="opinion_event_create"),
    path("opinion/export/", views.OpinionExportView.as_view(), name="opinion_export"),
    path("opinion/export/<uuid:job_id>/", views.OpinionExportDownloadView.as_view(), name="opinion_export_download"),
    path("opinion/<int:pk>/", views.OpinionDetailView.as_view(), name="opinion_event_detail"),
    path("opinion/<int:pk>/edit/", views.OpinionEditView.as_view(), name="opinion_event_edit"),
    path("opinion/<int:pk>/assess/", views.OpinionAssessView.as_view(), name="opinion_assess"),
    path("opinion/<int:pk>/actions/", views.OpinionActionView.as_view(), name="opinion_action"),
    path("opinion/<int:pk>/respond/", views.OpinionRespondView.as_view(), name="opinion_respond"),
    path("opinion/<int:pk>/close/", views.OpinionCloseView.as_view(), name="opinion_close"),
    path("opinion/<int:pk>/link/", views.OpinionLinkView.as_view(), name="opinion_link"),
    path("opinion/<int:pk>/unlink/", views.OpinionUnlinkView.as_view(), name="opinion_unlink"),
    path("opinion/<int:pk>/spawn-incident/", views.SpawnIncidentView.as_view(), name="opinion_spawn_incident"),
    path("opinion/<int:pk>/spawn-inspection/", views.SpawnInspectionView.as_view(), name="opinion_spawn_inspection"),
]
