from django.urls import include, path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("import/", include("apps.enterprises.urls_import")),
    path("export/", views.EnterpriseExportView.as_view(), name="export"),
    path("export/<uuid:job_id>/", views.EnterpriseExportDownloadView.as_view(), name="export_download"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="edit"),
    path("<int:pk>/deactivate/", views.EnterpriseDeactivateView.as_view(), name="deactivate"),
    path("<int:pk>/reactivate/", views.EnterpriseReactivateView.as_view(), name="reactivate"),
    path("<int:pk>/licences/new/", views.LicenceAddView.as_view(), name="licence_add"),
    path("<int:pk>/licences/<int:licence_id>/edit/", views.LicenceEditView.as_view(), name="licence_edit"),
    path(
        "<int:pk>/licences/<int:licence_id>/deactivate/",
        views.LicenceDeactivateView.as_view(),
        name="licence_deactivate",
    ),
]
