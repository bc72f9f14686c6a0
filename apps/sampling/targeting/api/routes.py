"""API routes of sampling/targeting: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import SuggestionViewSet

ROUTES: list = [("sampling/suggestions", SuggestionViewSet, "sampling-suggestion")]
