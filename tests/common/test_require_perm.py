"""require_perm: the one permission check of the services, with an explicit rule for the system actor."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.common.permissions import require_perm


def test_system_actor_is_refused_unless_the_call_allows_it():
    with pytest.raises(PermissionDenied):
        require_perm(None, "enterprises.add_enterprise")
    require_perm(None, "enterprises.add_enterprise", system_allowed=True)


def test_anonymous_and_users_without_the_permission_are_refused(staff_a, leader):
    with pytest.raises(PermissionDenied):
        require_perm(AnonymousUser(), "enterprises.add_enterprise", system_allowed=True)
    with pytest.raises(PermissionDenied):
        require_perm(leader, "enterprises.add_enterprise")
    require_perm(staff_a, "enterprises.add_enterprise")


def test_no_service_keeps_its_own_copy():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "apps"
    copies = [str(p) for p in root.rglob("*.py") if re.search(r"def _require\w*\(", p.read_text(encoding="utf-8"))]
    assert copies == []
