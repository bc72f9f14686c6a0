# The inspections fixtures the public pages are tested on: `world` (a registry and an inspector pool, plans) and
# `field` (a task with an inspector, ready to finalise).
from tests.inspections.conftest import world  # noqa: F401
from tests.inspections.fieldwork_helpers import field_fixture  # noqa: F401
