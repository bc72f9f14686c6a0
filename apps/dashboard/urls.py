from django.urls import path

from . import views_leadership

app_name = "dashboard"

urlpatterns = [
    path("", views_leadership.LeadershipCityView.as_view(), name="city"),
    path("townships/<int:pk>/", views_leadership.LeadershipTownshipView.as_view(), name="township"),
]
