"""URL patterns of incidents/drills (included by apps/incidents/urls.py under the "incidents" namespace)."""

urlpatterns: list = []
