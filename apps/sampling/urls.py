"""Sampling pages under /sampling/, one namespace; each subpackage owns its patterns."""

from .fieldwork.urls import urlpatterns as fieldwork_urls
from .lab.urls import urlpatterns as lab_urls
from .plans.urls import urlpatterns as plans_urls
from .publicity.urls import urlpatterns as publicity_urls
from .targeting.urls import urlpatterns as targeting_urls

app_name = "sampling"
urlpatterns = [*plans_urls, *targeting_urls, *fieldwork_urls, *lab_urls, *publicity_urls]
