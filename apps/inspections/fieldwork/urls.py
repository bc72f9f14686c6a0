"""Fieldwork pages, included into the ``inspections`` namespace by apps/inspections/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("tasks/mine/", views.MyTasksView.as_view(), name="my_tasks"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/overdue/", views.OverdueTasksView.as_view(), name="overdue"),
    path("tasks/flying/new/", views.FlyingCreateView.as_view(), name="flying_create"),
    path("tasks/flying/enterprises/", views.FlyingEnterprisesView.as_view(), name="flying_enterprises"),
    path("tasks/key/generate/", views.KeyTasksStartView.as_view(), name="key_tasks_generate"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/start/", views.TaskStartView.as_view(), name="task_start"),
    path("tasks/<int:pk>/assign/", views.TaskAssignView.as_view(), name="task_assign"),
    path("results/<int:pk>/save/", views.ResultSaveView.as_view(), name="result_save"),
    path("results/<int:pk>/correct/", views.ResultCorrectView.as_view(), name="result_correct"),
    path("results/<int:pk>/record.pdf", views.ResultPdfView.as_view(), name="result_pdf"),
    path("results/<int:pk>/signatures/<str:which>/", views.SignatureFileView.as_view(), name="signature_file"),
    path("photos/<int:pk>/", views.PhotoFileView.as_view(), name="photo_file"),
    path("photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("rectifications/", views.RectificationListView.as_view(), name="rectifications"),
    path("rectifications/<int:pk>/submit/", views.RectificationSubmitView.as_view(), name="rectification_submit"),
    path("publications/", views.PublicationListView.as_view(), name="publications"),
    path("publications/bulk/", views.PublicationsBulkView.as_view(), name="publications_bulk"),
    path("publications/<int:pk>/", views.PublicationDetailView.as_view(), name="publication_detail"),
    path("publications/<int:pk>/publish/", views.PublicationPublishView.as_view(), name="publication_publish"),
    path("publications/<int:pk>/objections/", views.ObjectionRecordView.as_view(), name="objection_record"),
    path("objections/<int:pk>/decide/", views.ObjectionDecideView.as_view(), name="objection_decide"),
]
