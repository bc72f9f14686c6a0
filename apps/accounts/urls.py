from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.SecondFactorView.as_view(), name="second_factor"),
    path("login/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("otp/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
]
