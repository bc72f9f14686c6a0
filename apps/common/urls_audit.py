from django.urls import path

from . import views_audit

app_name = "audit"
urlpatterns = [
    path("", views_audit.AuditListView.as_view(), name="list"),
    path("verify/", views_audit.AuditVerifyView.as_view(), name="verify"),
]
