"""URL patterns of assessment/schemes (included by apps/assessment/urls.py under the "assessment" namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("schemes/", views.SchemeListView.as_view(), name="schemes"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("rounds/", views.RoundListView.as_view(), name="rounds"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/compute/", views.RoundComputeView.as_view(), name="round_compute"),
    path("rounds/<int:pk>/verify/", views.RoundVerifyView.as_view(), name="round_verify"),
    path("rounds/<int:pk>/close/", views.RoundCloseView.as_view(), name="round_close"),
    path("rounds/<int:pk>/ranking.xlsx", views.RoundExcelView.as_view(), name="round_xlsx"),
    path("rounds/<int:pk>/ranking.pdf", views.RoundPdfView.as_view(), name="round_pdf"),
    path("rounds/<int:pk>/manual/", views.ManualValueSubmitView.as_view(), name="manual_value_submit"),
    path("manual/<int:pk>/evidence/", views.ManualValueFileView.as_view(), name="manual_value_evidence"),
    path("scores/<int:pk>/", views.ScoreDetailView.as_view(), name="score_detail"),
    path("scores/<int:pk>/appeal/", views.AppealFileView.as_view(), name="appeal_file"),
    path("appeals/", views.AppealListView.as_view(), name="appeals"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal_detail"),
    path("appeals/<int:pk>/decide/", views.AppealDecideView.as_view(), name="appeal_decide"),
    path("stars/", views.StarListView.as_view(), name="stars"),
]
