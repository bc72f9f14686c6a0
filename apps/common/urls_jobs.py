from django.urls import path

from . import views_jobs

app_name = "jobs"
urlpatterns = [
    path("", views_jobs.job_list_view, name="list"),
    path("<uuid:pk>/", views_jobs.job_detail_view, name="detail"),
]
