"""Fieldwork pages, included into the ``inspections`` namespace by apps/inspections/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/overdue/", views.overdue_tasks, name="overdue"),
    path("tasks/flying/new/", views.flying_create, name="flying_create"),
    path("tasks/flying/enterprises/", views.flying_enterprises, name="flying_enterprises"),
    path("tasks/key/generate/", views.key_tasks_start, name="key_tasks_generate"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/start/", views.task_start, name="task_start"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path("results/<int:pk>/save/", views.result_save_view, name="result_save"),
    path("results/<int:pk>/correct/", views.result_correct_view, name="result_correct"),
    path("results/<int:pk>/record.pdf", views.result_pdf, name="result_pdf"),
    path("results/<int:pk>/signatures/<str:which>/", views.signature_file, name="signature_file"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("photos/<int:pk>/delete/", views.photo_delete_view, name="photo_delete"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/submit/", views.rectification_submit_view, name="rectification_submit"),
    path("publications/", views.publication_list, name="publications"),
    path("publications/bulk/", views.publications_bulk, name="publications_bulk"),
    path("publications/<int:pk>/", views.publication_detail, name="publication_detail"),
    path("publications/<int:pk>/publish/", views.publication_publish_view, name="publication_publish"),
    path("publications/<int:pk>/objections/", views.objection_record_view, name="objection_record"),
    path("objections/<int:pk>/decide/", views.objection_decide_view, name="objection_decide"),
]
