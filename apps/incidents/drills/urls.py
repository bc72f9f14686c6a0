"""URL patterns of incidents/drills (included by apps/incidents/urls.py under the "incidents" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/export/", views.PlanExportView.as_view(), name="plan_export"),
    path("plans/export/<uuid:job_id>/", views.PlanExportDownloadView.as_view(), name="plan_export_download"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/versions/new/", views.PlanVersionUploadView.as_view(), name="plan_version_upload"),
    path("plans/versions/<int:pk>/issue/", views.PlanVersionIssueView.as_view(), name="plan_version_issue"),
    path("plans/versions/<int:pk>/document/", views.PlanVersionFileView.as_view(), name="plan_version_document"),
    path("drills/", views.DrillListView.as_view(), name="drills"),
    path("drills/new/", views.DrillCreateView.as_view(), name="drill_create"),
    path("drills/export/", views.DrillExportView.as_view(), name="drill_export"),
    path("drills/export/<uuid:job_id>/", views.DrillExportDownloadView.as_view(), name="drill_export_download"),
    path("drills/<int:pk>/", views.DrillDetailView.as_view(), name="drill_detail"),
    path("drills/<int:pk>/edit/", views.DrillEditView.as_view(), name="drill_edit"),
    path("drills/<int:pk>/attachments/", views.DrillAttachmentAddView.as_view(), name="drill_attachment_add"),
    path("drills/attachments/<int:pk>/", views.DrillAttachmentFileView.as_view(), name="drill_attachment"),
]
