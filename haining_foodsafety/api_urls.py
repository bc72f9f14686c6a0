"""One DRF router for /api/v1/; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.common.api.views import JobViewSet, api_not_found
from apps.enterprises.api.views import EnterpriseViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("jobs", JobViewSet, basename="job")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")

urlpatterns = router.urls + [
    path("<path:rest>", api_not_found),
]
