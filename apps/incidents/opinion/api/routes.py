"""API routes of incidents/opinion: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import OpinionEventViewSet

ROUTES: list = [("incidents/opinion-events", OpinionEventViewSet, "incidents-opinion-event")]
