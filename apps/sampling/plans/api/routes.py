"""API routes of sampling/plans: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import PlanLineViewSet, SamplingPlanViewSet

ROUTES: list = [
    ("sampling/plans", SamplingPlanViewSet, "sampling-plan"),
    ("sampling/plan-lines", PlanLineViewSet, "sampling-plan-line"),
]
