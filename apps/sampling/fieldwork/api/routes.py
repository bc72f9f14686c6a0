"""API routes of sampling/fieldwork: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import SampleViewSet, SamplingTaskViewSet

ROUTES: list = [
    ("sampling/tasks", SamplingTaskViewSet, "sampling-task"),
    ("sampling/samples", SampleViewSet, "sampling-sample"),
]
