from django.urls import path

from . import views_jobs

app_name = "jobs"
urlpatterns = [
    path("", views_jobs.JobListView.as_view(), name="list"),
    path("<uuid:pk>/", views_jobs.JobDetailView.as_view(), name="detail"),
]
