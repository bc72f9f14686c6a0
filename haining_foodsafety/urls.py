from django.contrib import admin
from django.urls import include, path

from apps.dashboard import views as dashboard_views

admin.site.site_header = "海宁市食品安全监管平台 · 系统管理"
admin.site.site_title = "海宁市食品安全监管平台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", dashboard_views.HomeView.as_view(), name="home"),
    path("dashboard/reports/", include("apps.dashboard.urls_reports")),  # monthly / annual reports (Excel, PDF)
    path("dashboard/", include("apps.dashboard.urls")),  # 领导驾驶舱 (read-only)
    path("calendar/", include("apps.common.urls_calendar")),
    path("accounts/", include("apps.accounts.urls")),
    path("jobs/", include("apps.common.urls_jobs")),
    path("audit/", include("apps.common.urls_audit")),
    path("risk/", include("apps.risk.urls")),
    path("enterprises/", include("apps.enterprises.urls")),
    path("inspections/", include("apps.inspections.urls")),
    path("sampling/", include("apps.sampling.urls")),
    path("public/sampling/", include("apps.sampling.publicity.urls_public")),  # 你点我检, published sampling results
    path(
        "public/complaints/", include("apps.incidents.complaints.urls_public")
    ),  # 投诉举报: public form, status by code
    path("incidents/", include("apps.incidents.urls")),
    path("assessment/", include("apps.assessment.urls")),
    path("standards/", include("apps.standards.urls")),
    path("public/", include("apps.public.urls")),  # 一公开 portal, no login (draws, results, lookup, verifier)
    path("manage/", admin.site.urls),
    # /api/v1/: router, schema (/api/v1/schema/), Swagger UI (/api/v1/docs/) and a JSON catch-all, in api_urls.
    path("api/v1/", include("haining_foodsafety.api_urls")),
]

handler400 = "apps.common.views.bad_request"
handler403 = "apps.common.views.permission_denied"
handler404 = "apps.common.views.page_not_found"
handler500 = "apps.common.views.server_error"
