"""Named actors and shared fixtures (STYLE.md §3.9): township_a/b, staff_a, inspector_a, city_staff, leader, ..."""

import os

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from apps.accounts.models import Township
from apps.accounts.roles import ROLE_BY_CODE
from apps.accounts.services import reference_data_load, roles_sync

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"


@pytest.fixture
def reference(db):
    """Haining's 12 townships, populations and role groups, as `make run` loads them."""
    reference_data_load()
    roles_sync()


@pytest.fixture
def township_a(reference):
    return Township.objects.get(code="xiashi")


@pytest.fixture
def township_b(reference):
    return Township.objects.get(code="xucun")


def make_user(username, role_code=None, townships=(), **extra):
    from apps.accounts.models import User

    user = User.objects.create_user(username=username, password="Test#pass-2026", full_name=username, **extra)
    if role_code:
        user.groups.add(Group.objects.get(name=ROLE_BY_CODE[role_code].label))
        user.is_staff = ROLE_BY_CODE[role_code].admin_role
        user.save(update_fields=["is_staff"])
    if townships:
        user.townships.set(townships)
    return user


@pytest.fixture
def user_factory(reference):
    return make_user


@pytest.fixture
def staff_a(reference, township_a):
    return make_user("staff_a", "township_staff", [township_a])


@pytest.fixture
def staff_b(reference, township_b):
    return make_user("staff_b", "township_staff", [township_b])


@pytest.fixture
def inspector_a(reference, township_a):
    return make_user("inspector_a", "inspector", [township_a])


@pytest.fixture
def city_staff(reference):
    return make_user("city_staff", "city_staff")


@pytest.fixture
def leader(reference):
    return make_user("leader", "city_leader")


@pytest.fixture
def complaint_officer(reference):
    return make_user("complaint_officer", "complaint_officer")


@pytest.fixture
def sys_admin(reference):
    return make_user("sys_admin", "sys_admin")


@pytest.fixture
def security_admin(reference):
    return make_user("security_admin", "security_admin")


@pytest.fixture
def audit_admin(reference):
    return make_user("audit_admin", "audit_admin")


@pytest.fixture
def user_without_perms(reference, township_a):
    return make_user("nobody", None, [township_a])


@pytest.fixture
def api_client():
    return APIClient()
