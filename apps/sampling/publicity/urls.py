"""URL patterns of sampling/publicity (included by apps/sampling/urls.py under the "sampling" namespace)."""

urlpatterns: list = []
