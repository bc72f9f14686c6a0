"""Every incidents API route: (prefix, viewset, basename), registered on the one router in haining_foodsafety/api_urls.py."""

from ..complaints.api.routes import ROUTES as COMPLAINTS
from ..drills.api.routes import ROUTES as DRILLS
from ..emergencies.api.routes import ROUTES as EMERGENCIES
from ..opinion.api.routes import ROUTES as OPINION

ROUTES = [*EMERGENCIES, *OPINION, *DRILLS, *COMPLAINTS]
