"""API routes of incidents/opinion: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

ROUTES: list = []
