"""URL patterns of sampling/targeting (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestions"),
    path("suggestions/accept/", views.SuggestionAcceptView.as_view(), name="suggestion_accept"),
    path("suggestions/weights/", views.WeightsListView.as_view(), name="suggestion_weights"),
    path("suggestions/weights/new/", views.WeightsCreateView.as_view(), name="suggestion_weights_create"),
    path("consultations/", views.MeetingListView.as_view(), name="meetings"),
    path("consultations/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("consultations/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
]
