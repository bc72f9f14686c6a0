"""Draw pages (plans, draws, redraw requests), included into the ``inspections`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_update, name="plan_update"),
    path("plans/<int:pk>/commit/", views.plan_commit, name="plan_commit"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/redraw/", views.redraw_request, name="redraw_request"),
    path("redraw-requests/<int:pk>/decide/", views.redraw_decide, name="redraw_decide"),
]
