"""(prefix, viewset, basename) of assessment/campaigns's API."""

from .views import CampaignViewSet

ROUTES: list = [("assessment/campaigns", CampaignViewSet, "assessment-campaign")]
