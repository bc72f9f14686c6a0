"""Incident, 舆情, drill and complaint pages under /incidents/, one namespace; each subpackage owns its patterns."""

from django.urls import path

from .complaints.urls import urlpatterns as complaints_urls
from .drills.urls import urlpatterns as drills_urls
from .emergencies.urls import urlpatterns as emergencies_urls
from .opinion.urls import urlpatterns as opinion_urls
from .views_timeliness import TimelinessExportView, TimelinessView

app_name = "incidents"
urlpatterns = [*emergencies_urls, *opinion_urls, *drills_urls, *complaints_urls]
urlpatterns += [
    path("timeliness/", TimelinessView.as_view(), name="timeliness"),
    path("timeliness/export/", TimelinessExportView.as_view(), name="timeliness_export"),
]
