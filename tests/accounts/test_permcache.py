"""Permissions and role groups are read from the shared cache between requests, and every change reaches the next
request (apps/accounts/permcache.py)."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import permcache
from apps.accounts.roles import ROLE_BY_CODE

PERM_TABLES = ("auth_permission", "auth_group")


def _perm_queries(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if any(t in q["sql"] for t in PERM_TABLES))


def test_a_second_request_reads_no_permissions_from_the_database(client, city_staff):
    client.force_login(city_staff)
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert _perm_queries(ctx) == 0


def test_a_group_permission_removed_is_refused_on_the_next_request(client, city_staff):
    client.force_login(city_staff)
    assert client.get("/enterprises/").status_code == 200
    group = Group.objects.get(name=ROLE_BY_CODE["city_staff"].label)
    group.permissions.remove(Permission.objects.get(codename="view_enterprise"))
    assert client.get("/enterprises/").status_code == 403


def test_a_role_taken_away_is_gone_on_the_next_request(client, city_staff):
    client.force_login(city_staff)
    assert client.get("/enterprises/").status_code == 200
    city_staff.groups.clear()
    assert client.get("/enterprises/").status_code == 403


def test_a_permission_granted_to_the_user_counts_at_once(client, reference):
    from tests.conftest import make_user

    user = make_user("nobody")
    client.force_login(user)
    assert client.get("/enterprises/").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    assert client.get("/enterprises/").status_code != 403


def test_without_a_cache_the_database_answers(client, city_staff, monkeypatch):
    monkeypatch.setattr(permcache, "generation", lambda: 0)  # what a missing cache gives
    client.force_login(city_staff)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/enterprises/").status_code == 200
    assert _perm_queries(ctx) >= 2
