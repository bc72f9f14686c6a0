"""URL patterns of incidents/emergencies (included by apps/incidents/urls.py under the "incidents" namespace)."""

urlpatterns: list = []
