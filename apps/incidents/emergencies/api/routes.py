"""API routes of incidents/emergencies: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import IncidentViewSet

ROUTES: list = [("incidents/incidents", IncidentViewSet, "incidents-incident")]
