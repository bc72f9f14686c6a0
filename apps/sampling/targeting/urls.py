"""URL patterns of sampling/targeting (included by apps/sampling/urls.py under the "sampling" namespace)."""

urlpatterns: list = []
