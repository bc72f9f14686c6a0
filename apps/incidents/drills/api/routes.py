"""API routes of incidents/drills: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import DrillViewSet, EmergencyPlanViewSet

ROUTES: list = [
    ("incidents/emergency-plans", EmergencyPlanViewSet, "incidents-emergency-plan"),
    ("incidents/drills", DrillViewSet, "incidents-drill"),
]
