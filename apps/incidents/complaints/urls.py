"""URL patterns of incidents/complaints (included by apps/incidents/urls.py under the "incidents" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("complaints/", views.ComplaintListView.as_view(), name="complaints"),
    path("complaints/new/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("complaints/export/", views.ComplaintExportView.as_view(), name="complaint_export"),
    path("complaints/retention/", views.IdentityRetentionView.as_view(), name="complaint_identity_retention"),
    path(
        "complaints/export/<uuid:job_id>/",
        views.ComplaintExportDownloadView.as_view(),
        name="complaint_export_download",
    ),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/accept/", views.ComplaintAcceptView.as_view(), name="complaint_accept"),
    path("complaints/<int:pk>/reject/", views.ComplaintRejectView.as_view(), name="complaint_reject"),
    path("complaints/<int:pk>/route/", views.ComplaintRouteView.as_view(), name="complaint_route"),
    path("complaints/<int:pk>/start/", views.ComplaintStartView.as_view(), name="complaint_start"),
    path("complaints/<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint_close"),
    path("complaints/<int:pk>/feedback/", views.ComplaintFeedbackView.as_view(), name="complaint_feedback"),
    path("complaints/<int:pk>/duplicate/", views.ComplaintDuplicateView.as_view(), name="complaint_duplicate"),
    path("complaints/<int:pk>/reward/", views.RewardAssessView.as_view(), name="complaint_reward"),
    path("complaints/<int:pk>/reward/pay/", views.RewardPayView.as_view(), name="complaint_reward_pay"),
    path(
        "complaints/<int:pk>/attachments/<int:att>/",
        views.ComplaintAttachmentView.as_view(),
        name="complaint_attachment",
    ),
    path("complaints/<int:pk>/reporter/", views.ReporterUnmaskView.as_view(), name="complaint_unmask"),
]
