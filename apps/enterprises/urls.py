from django.urls import include, path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list_view, name="list"),
    path("new/", views.enterprise_create_view, name="create"),
    path("import/", include("apps.enterprises.urls_import")),
    path("export/", views.enterprise_export_view, name="export"),
    path("export/<uuid:job_id>/", views.enterprise_export_download_view, name="export_download"),
    path("<int:pk>/", views.enterprise_detail_view, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit_view, name="edit"),
    path("<int:pk>/deactivate/", views.enterprise_deactivate_view, name="deactivate"),
    path("<int:pk>/reactivate/", views.enterprise_reactivate_view, name="reactivate"),
    path("<int:pk>/licences/new/", views.licence_add_view, name="licence_add"),
    path("<int:pk>/licences/<int:licence_id>/edit/", views.licence_edit_view, name="licence_edit"),
    path("<int:pk>/licences/<int:licence_id>/deactivate/", views.licence_deactivate_view, name="licence_deactivate"),
]
