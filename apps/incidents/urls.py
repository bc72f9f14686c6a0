"""Incident, 舆情, drill and complaint pages under /incidents/, one namespace; each subpackage owns its patterns."""

from .complaints.urls import urlpatterns as complaints_urls
from .drills.urls import urlpatterns as drills_urls
from .emergencies.urls import urlpatterns as emergencies_urls
from .opinion.urls import urlpatterns as opinion_urls

app_name = "incidents"
urlpatterns = [*emergencies_urls, *opinion_urls, *drills_urls, *complaints_urls]
