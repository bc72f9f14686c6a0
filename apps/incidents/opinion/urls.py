"""URL patterns of incidents/opinion (included by apps/incidents/urls.py under the "incidents" namespace)."""

urlpatterns: list = []
