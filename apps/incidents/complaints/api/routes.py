"""API routes of incidents/complaints: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import ComplaintViewSet

ROUTES: list = [("incidents/complaints", ComplaintViewSet, "incidents-complaint")]
