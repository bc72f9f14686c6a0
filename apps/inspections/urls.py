"""The pages of the inspections app (namespace ``inspections``): each subpackage brings its own urls."""

from django.urls import include, path

app_name = "inspections"

urlpatterns = [
    path("", include("apps.inspections.draws.urls")),  # plans, draws, redraw requests
    path("", include("apps.inspections.fieldwork.urls")),  # tasks, results, rectification, publication
]
