"""Every assessment API route: (prefix, viewset, basename), registered on the one router in haining_foodsafety/api_urls.py."""

from ..campaigns.api.routes import ROUTES as CAMPAIGNS
from ..schemes.api.routes import ROUTES as SCHEMES

ROUTES = [*SCHEMES, *CAMPAIGNS]
