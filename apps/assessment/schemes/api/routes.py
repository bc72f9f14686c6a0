"""(prefix, viewset, basename) of assessment/schemes's API."""

from .views import RoundViewSet, ScoreViewSet

ROUTES: list = [
    ("assessment/rounds", RoundViewSet, "assessment-round"),
    ("assessment/scores", ScoreViewSet, "assessment-score"),
]
