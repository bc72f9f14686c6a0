"""API routes of sampling/lab: (prefix under /api/v1/, viewset, basename), registered by haining_foodsafety/api_urls.py."""

from .views import ResultItemViewSet, SampleResultsViewSet

ROUTES: list = [
    ("sampling/results", ResultItemViewSet, "sampling-result"),
    # POST /api/v1/sampling/samples/{sample}/results/ — {sample}: the 抽样单编号 or the id
    (r"sampling/samples/(?P<sample>[^/.]+)/results", SampleResultsViewSet, "sampling-sample-results"),
]
