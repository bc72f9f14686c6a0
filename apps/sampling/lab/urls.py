"""URL patterns of sampling/lab (included by apps/sampling/urls.py under the "sampling" namespace)."""

urlpatterns: list = []
