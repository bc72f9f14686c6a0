"""URL patterns of sampling/plans (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("quotas/", views.QuotaView.as_view(), name="quota"),
    path("quotas/report/", views.QuotaReportRequestView.as_view(), name="quota_report"),
    path(
        "quotas/report/<uuid:job_id>/download/", views.QuotaReportDownloadView.as_view(), name="quota_report_download"
    ),
    path("quota-rates/", views.RateListView.as_view(), name="rate_list"),
    path("quota-rates/new/", views.RateCreateView.as_view(), name="rate_create"),
    path("quota-rates/<int:pk>/edit/", views.RateUpdateView.as_view(), name="rate_update"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/generate/", views.PlanGenerateView.as_view(), name="plan_generate"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/approve/", views.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/close/", views.PlanCloseView.as_view(), name="plan_close"),
    path("plans/<int:pk>/lines/new/", views.LineCreateView.as_view(), name="line_create"),
    path("plan-lines/", views.LineListView.as_view(), name="line_list"),
    path("plan-lines/<int:pk>/edit/", views.LineUpdateView.as_view(), name="line_update"),
    path("plan-lines/<int:pk>/delete/", views.LineDeleteView.as_view(), name="line_delete"),
]
