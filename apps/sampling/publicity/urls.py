"""URL patterns of sampling/publicity (included by apps/sampling/urls.py under the "sampling" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/new/", views.TopicCreateView.as_view(), name="topic_create"),
    path("topics/<int:pk>/", views.TopicDetailView.as_view(), name="topic_detail"),
    path("topics/<int:pk>/edit/", views.TopicEditView.as_view(), name="topic_edit"),
    path("topics/<int:pk>/close/", views.TopicCloseView.as_view(), name="topic_close"),
    path("topics/<int:pk>/adopt/", views.TopicAdoptView.as_view(), name="topic_adopt"),
    path("quick-tests/", views.QuickTestListView.as_view(), name="quick_tests"),
    path("quick-tests/<int:pk>/", views.QuickTestDetailView.as_view(), name="quick_test_detail"),
    path("quick-tests/<int:pk>/objection/", views.QuickTestObjectionView.as_view(), name="quick_test_objection"),
    path(
        "quick-tests/<int:pk>/objection/decide/",
        views.QuickTestObjectionDecideView.as_view(),
        name="quick_test_objection_decide",
    ),
    path("publications/", views.PublicationListView.as_view(), name="publications"),
    path("publications/bulk/", views.PublicationBulkView.as_view(), name="publications_bulk"),
    path("publications/export/", views.PublicationExportView.as_view(), name="publication_export"),
    path(
        "publications/export/<uuid:job_id>/",
        views.PublicationExportDownloadView.as_view(),
        name="publication_export_download",
    ),
    path("publications/<int:pk>/publish/", views.PublicationPublishView.as_view(), name="publication_publish"),
]
