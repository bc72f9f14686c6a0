"""URL patterns of sampling/plans (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("quotas/", views.quota_view, name="quota"),
    path("quotas/report/", views.quota_report_request, name="quota_report"),
    path("quotas/report/<uuid:job_id>/download/", views.quota_report_download, name="quota_report_download"),
    path("quota-rates/", views.rate_list, name="rate_list"),
    path("quota-rates/new/", views.rate_create, name="rate_create"),
    path("quota-rates/<int:pk>/edit/", views.rate_update, name="rate_update"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/generate/", views.plan_generate, name="plan_generate"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/lines/new/", views.line_create, name="line_create"),
    path("plan-lines/", views.line_list, name="line_list"),
    path("plan-lines/<int:pk>/edit/", views.line_update, name="line_update"),
    path("plan-lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
]
