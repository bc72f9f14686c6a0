"""URL patterns of sampling/fieldwork (included by apps/sampling/urls.py under the "sampling" namespace)."""

urlpatterns: list = []
