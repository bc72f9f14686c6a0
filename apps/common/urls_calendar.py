from django.urls import path

from . import views_calendar

app_name = "calendar"
urlpatterns = [
    path("", views_calendar.CalendarView.as_view(), name="index"),
    path("upload/", views_calendar.CalendarUploadView.as_view(), name="upload"),
    path("template/", views_calendar.CalendarTemplateView.as_view(), name="template"),
]
