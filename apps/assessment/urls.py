"""Assessment pages under /assessment/, one namespace; each subpackage owns its patterns."""

from .campaigns.urls import urlpatterns as campaigns_urls
from .schemes.urls import urlpatterns as schemes_urls

app_name = "assessment"
urlpatterns = [*schemes_urls, *campaigns_urls]
