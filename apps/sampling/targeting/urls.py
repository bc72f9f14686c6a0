"""URL patterns of sampling/targeting (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("suggestions/weights/", views.weights_list, name="suggestion_weights"),
    path("suggestions/weights/new/", views.weights_create, name="suggestion_weights_create"),
    path("consultations/", views.meeting_list, name="meetings"),
    path("consultations/new/", views.meeting_create, name="meeting_create"),
    path("consultations/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
