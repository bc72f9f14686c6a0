"""URL patterns of incidents/complaints (included by apps/incidents/urls.py under the "incidents" namespace)."""

urlpatterns: list = []
