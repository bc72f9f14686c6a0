from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("regrade/", views.RegradeView.as_view(), name="regrade"),
    path("grades/", views.AssessmentListView.as_view(), name="assessments"),
    path("ungraded/", views.UngradedListView.as_view(), name="ungraded"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("overrides/", views.OverrideListView.as_view(), name="overrides"),
    path("enterprises/<int:pk>/", views.EnterpriseCardView.as_view(), name="card"),
    path("enterprises/<int:pk>/evaluate/", views.OnsiteEvaluationView.as_view(), name="onsite"),
    path("enterprises/<int:pk>/events/", views.EventAddView.as_view(), name="event_add"),
    path("enterprises/<int:pk>/events/<int:event_id>/void/", views.EventVoidView.as_view(), name="event_void"),
    path("enterprises/<int:pk>/credit/", views.CreditAddView.as_view(), name="credit_add"),
    path("enterprises/<int:pk>/recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("enterprises/<int:pk>/override/", views.OverrideProposeView.as_view(), name="override_propose"),
    path(
        "enterprises/<int:pk>/override/<int:override_id>/", views.OverrideDecideView.as_view(), name="override_decide"
    ),
    path("schemes/", views.SchemeListView.as_view(), name="schemes"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("schemes/<int:pk>/revise/", views.SchemeReviseView.as_view(), name="scheme_revise"),
    path("schemes/<int:pk>/activate/", views.SchemeActivateView.as_view(), name="scheme_activate"),
    path("schemes/<int:pk>/export/", views.SchemeExportView.as_view(), name="scheme_export"),
    path("schemes/<int:pk>/edit/", views.SchemeEditView.as_view(), name="scheme_edit"),
]
