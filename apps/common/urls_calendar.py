from django.urls import path

from . import views_calendar

app_name = "calendar"
urlpatterns = [
    path("", views_calendar.calendar_index, name="index"),
    path("upload/", views_calendar.calendar_upload, name="upload"),
    path("template/", views_calendar.calendar_template_download, name="template"),
]
