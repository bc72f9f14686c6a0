"""One DRF router for /api/v1/; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.common.api.views import JobViewSet, api_not_found

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls + [
    path("<path:rest>", api_not_found),
]
