"""一公开: sampling's public pages (no login), mounted under /public/sampling/ by haining_foodsafety/urls.py."""

from django.urls import path

from . import views_public as views

app_name = "public_sampling"

urlpatterns = [
    path("votes/", views.votes, name="votes"),
    path("votes/<int:pk>/", views.vote, name="vote"),
    path("results/", views.results, name="results"),
    path("results/<str:number>/", views.result, name="result"),
]
