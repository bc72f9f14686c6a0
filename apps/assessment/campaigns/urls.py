"""URL patterns of assessment/campaigns (included by apps/assessment/urls.py under the "assessment" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/targets/<int:pk>/", views.TargetDetailView.as_view(), name="campaign_target"),
    path("campaigns/targets/<int:pk>/edit/", views.TargetEditView.as_view(), name="campaign_target_edit"),
    path("campaigns/targets/<int:pk>/progress/", views.ProgressCreateView.as_view(), name="campaign_progress_add"),
    path(
        "campaigns/progress/<int:pk>/evidence/", views.ProgressEvidenceView.as_view(), name="campaign_progress_evidence"
    ),
]
