"""URL patterns of sampling/fieldwork (included by apps/sampling/urls.py under the "sampling" namespace).

``sampling:sample_list`` and ``sampling:sample_detail`` are linked to by other pages (quota burn-down, dashboards),
with the filters of ``filters.SampleFilterSet``."""

from django.urls import path

from . import views

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.OrganisationEditView.as_view(), name="organisation_edit"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/cancel/", views.TaskCancelView.as_view(), name="task_cancel"),
    path("tasks/<int:pk>/sample/", views.SampleCreateView.as_view(), name="sample_create"),
    path("samples/", views.SampleListView.as_view(), name="sample_list"),
    path("samples/export/", views.SampleExportView.as_view(), name="sample_export"),
    path("samples/export/<uuid:job_id>/", views.SampleExportDownloadView.as_view(), name="sample_export_download"),
    path("samples/<int:pk>/", views.SampleDetailView.as_view(), name="sample_detail"),
    path("samples/<int:pk>/pdf/", views.SamplePdfView.as_view(), name="sample_pdf"),
    path("samples/<int:pk>/attachments/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", views.AttachmentFileView.as_view(), name="attachment_file"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
]
