from django.urls import path

from . import views_draws as views

app_name = "public_draws"

urlpatterns = [
    path("", views.draw_list, name="list"),
    path("<str:draw_uid>/", views.draw_detail, name="detail"),
    path("<str:draw_uid>/json/", views.draw_record_json, name="record"),
]
