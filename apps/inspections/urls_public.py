from django.urls import path

from . import views_public

app_name = "public_draws"

urlpatterns = [
    path("", views_public.draw_list, name="list"),
    path("<str:draw_uid>/", views_public.draw_detail, name="detail"),
    path("<str:draw_uid>/json/", views_public.draw_record_json, name="record"),
]
