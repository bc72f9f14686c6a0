"""Draw pages (plans, draws, redraw requests), included into the ``inspections`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/commit/", views.PlanCommitView.as_view(), name="plan_commit"),
    path("plans/<int:pk>/public-value/", views.PlanPublicValueView.as_view(), name="plan_public_value"),
    path("plans/<int:pk>/draw/", views.PlanDrawView.as_view(), name="plan_draw"),
    path("plans/<int:pk>/cancel/", views.PlanCancelView.as_view(), name="plan_cancel"),
    path("draws/<int:pk>/", views.DrawDetailView.as_view(), name="draw_detail"),
    path("draws/<int:pk>/redraw/", views.RedrawRequestView.as_view(), name="redraw_request"),
    path("redraw-requests/<int:pk>/decide/", views.RedrawDecideView.as_view(), name="redraw_decide"),
]
