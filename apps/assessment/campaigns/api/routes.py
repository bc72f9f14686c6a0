"""(prefix, viewset, basename) of assessment/campaigns's API."""

ROUTES: list = []
