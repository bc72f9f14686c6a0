"""One DRF router for /api/v1/; each app registers its viewsets here.

Order matters: the router and the schema/docs first, the catch-all (JSON 404, 401 for anonymous) last.
"""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import TownshipViewSet
from apps.assessment.api.urls import ROUTES as ASSESSMENT_ROUTES
from apps.common.api.views import ApiNotFoundView, DocsView, JobViewSet, SchemaView
from apps.enterprises.api.views import EnterpriseViewSet
from apps.incidents.api.urls import ROUTES as INCIDENTS_ROUTES
from apps.inspections.draws.api.views import DrawPlanViewSet, DrawViewSet
from apps.inspections.fieldwork.api.views import InspectionResultViewSet, InspectionTaskViewSet, PublicationViewSet
from apps.risk.api.views import (
    AssessmentViewSet,
    CoverageDebtViewSet,
    CreditClassViewSet,
    EnterpriseRiskViewSet,
    RiskEventViewSet,
    SchemeViewSet,
)
from apps.sampling.api.urls import ROUTES as SAMPLING_ROUTES
from apps.standards.api.views import StandardViewSet, TestItemViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# JSON only: no ".json" twin of every route (the views do not take a format argument — the twins answered 500 —, and
# the schema never listed them). tests/security/test_authz_matrix.py walks every route.
router.include_format_suffixes = False
router.register("jobs", JobViewSet, basename="job")
router.register("inspections/plans", DrawPlanViewSet, basename="drawplan")
router.register("inspections/draws", DrawViewSet, basename="draw")
router.register("inspections/tasks", InspectionTaskViewSet, basename="inspection-task")
router.register("inspections/results", InspectionResultViewSet, basename="inspection-result")
router.register("inspections/publications", PublicationViewSet, basename="inspection-publication")
router.register("townships", TownshipViewSet, basename="township")
# test-items before the standards themselves: "standards/{id}/" takes digits only, but the order keeps it unambiguous
router.register("standards/test-items", TestItemViewSet, basename="standards-test-item")
router.register("standards", StandardViewSet, basename="standard")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("risk/assessments", AssessmentViewSet, basename="risk-assessment")
router.register("risk/enterprises", EnterpriseRiskViewSet, basename="risk-enterprise")
router.register("risk/schemes", SchemeViewSet, basename="risk-scheme")
router.register("risk/credit-classes", CreditClassViewSet, basename="risk-credit-class")
router.register("risk/events", RiskEventViewSet, basename="risk-event")
router.register("risk/coverage-debt", CoverageDebtViewSet, basename="risk-coverage-debt")
for _prefix, _viewset, _basename in [*SAMPLING_ROUTES, *INCIDENTS_ROUTES, *ASSESSMENT_ROUTES]:
    router.register(_prefix, _viewset, basename=_basename)

urlpatterns = router.urls + [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<rest>.*)$", ApiNotFoundView.as_view(), name="api-not-found"),
]
