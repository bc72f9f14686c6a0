"""/standards/: the read-only catalogue (standards, test items with their limits, sampling food categories)."""

from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("test-items/", views.test_item_list, name="test_items"),
    path("categories/", views.category_list, name="categories"),
]
