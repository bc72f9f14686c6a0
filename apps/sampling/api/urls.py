"""Every sampling API route: (prefix, viewset, basename), registered on the one router in haining_foodsafety/api_urls.py."""

from ..fieldwork.api.routes import ROUTES as FIELDWORK
from ..lab.api.routes import ROUTES as LAB
from ..plans.api.routes import ROUTES as PLANS
from ..publicity.api.routes import ROUTES as PUBLICITY
from ..targeting.api.routes import ROUTES as TARGETING

ROUTES = [*PLANS, *TARGETING, *FIELDWORK, *LAB, *PUBLICITY]
