"""(prefix, viewset, basename) of assessment/schemes's API."""

ROUTES: list = []
