from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("regrade/", views.regrade, name="regrade"),
    path("grades/", views.assessment_list, name="assessments"),
    path("ungraded/", views.ungraded_list, name="ungraded"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("overrides/", views.override_list, name="overrides"),
    path("enterprises/<int:pk>/", views.enterprise_card, name="card"),
    path("enterprises/<int:pk>/evaluate/", views.onsite_evaluation, name="onsite"),
    path("enterprises/<int:pk>/events/", views.event_add, name="event_add"),
    path("enterprises/<int:pk>/events/<int:event_id>/void/", views.event_void, name="event_void"),
    path("enterprises/<int:pk>/credit/", views.credit_add, name="credit_add"),
    path("enterprises/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("enterprises/<int:pk>/override/", views.override_propose, name="override_propose"),
    path("enterprises/<int:pk>/override/<int:override_id>/", views.override_decide, name="override_decide"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/revise/", views.scheme_revise, name="scheme_revise"),
    path("schemes/<int:pk>/activate/", views.scheme_activate, name="scheme_activate"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
]
