"""ApiClient bearer tokens (issue 2 points 3, 9; SECURITY.md ACL-07): hashed, scoped, revocable, expiring,
last-used time; issued and revoked with management commands."""

import datetime as dt
import hashlib
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiClient
from apps.accounts.services import api_client_create, api_client_revoke
from apps.common.models import AuditEvent

TOWNSHIPS = "/api/v1/townships/"
JOBS = "/api/v1/jobs/"


def bearer(token):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def issued(reference):
    return api_client_create(name="省局平台", scopes=["reference:read"], city_wide=True)


def test_only_the_sha256_of_the_token_is_stored(issued):
    client, token = issued
    assert re.fullmatch(r"hn_[A-Za-z0-9_-]{40,}", token)
    client.refresh_from_db()
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert client.token_prefix == token[:12]
    stored = [str(v) for v in ApiClient.objects.values_list(*[f.attname for f in ApiClient._meta.concrete_fields])]
    assert not any(token in value for value in stored)
    assert not AuditEvent.objects.filter(changes__icontains=token[12:]).exists()


def test_two_clients_get_different_tokens(reference):
    tokens = {api_client_create(name=f"c{i}", scopes=["reference:read"], city_wide=True)[1] for i in range(5)}
    assert len(tokens) == 5


def test_valid_token_authenticates_as_the_service_user(issued):
    client, token = issued
    response = bearer(token).get(TOWNSHIPS)
    assert response.status_code == 200
    assert response.json()["count"] == 12


def test_scope_is_enforced(issued):
    _, token = issued
    response = bearer(token).get(JOBS)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "jobs:read" in response.json()["message"]


def test_revoked_token_is_401_immediately(issued):
    client, token = issued
    assert bearer(token).get(TOWNSHIPS).status_code == 200
    api_client_revoke(client_id=client.pk)
    response = bearer(token).get(TOWNSHIPS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(action="api_client.revoke", object_id=str(client.pk)).count() == 1


def test_expired_token_is_401(reference):
    expires = timezone.now() + dt.timedelta(days=30)
    _, token = api_client_create(name="临时", scopes=["reference:read"], city_wide=True, expires_at=expires)
    with time_machine.travel(expires - dt.timedelta(seconds=1)):
        assert bearer(token).get(TOWNSHIPS).status_code == 200
    with time_machine.travel(expires + dt.timedelta(seconds=1)):
        assert bearer(token).get(TOWNSHIPS).status_code == 401


def test_deactivated_client_or_service_user_is_401(issued):
    client, token = issued
    client.user.is_active = False
    client.user.save()
    assert bearer(token).get(TOWNSHIPS).status_code == 401
    client.user.is_active = True
    client.user.save()
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    assert bearer(token).get(TOWNSHIPS).status_code == 401


def test_token_of_one_client_with_another_prefix_is_refused(issued):
    _, token = issued
    assert bearer(token[:-1] + ("A" if token[-1] != "A" else "B")).get(TOWNSHIPS).status_code == 401


def test_last_used_is_updated_at_most_once_a_minute(issued):
    client, token = issued
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        bearer(token).get(TOWNSHIPS)
    client.refresh_from_db()
    assert client.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        bearer(token).get(TOWNSHIPS)
    client.refresh_from_db()
    assert client.last_used_at == start
    later = start + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        bearer(token).get(TOWNSHIPS)
    client.refresh_from_db()
    assert client.last_used_at == later


def test_a_session_user_is_not_limited_by_scopes(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    assert api_client.get(JOBS).status_code == 200


# ---------------------------------------------------------------- management commands
def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_command_prints_the_token_once_and_it_works(reference):
    out = run(
        "api_client_create", "--name", "浙江省平台", "--scope", "reference:read,jobs:read", "--township", "xiashi"
    )
    token = out.strip().splitlines()[-1]
    client = ApiClient.objects.get(name="浙江省平台")
    assert client.token_hash == ApiClient.hash_token(token)
    assert client.scopes == ["jobs:read", "reference:read"]
    assert client.expires_at is None
    assert set(client.user.townships.values_list("code", flat=True)) == {"xiashi"}
    assert not client.user.has_perm("accounts.view_all_townships")
    assert out.count(token) == 1
    assert bearer(token).get(TOWNSHIPS).status_code == 200


def test_create_command_city_wide_with_expiry(reference):
    out = run(
        "api_client_create", "--name", "市大数据局", "--scope", "reference:read", "--city-wide", "--expires-days", "90"
    )
    client = ApiClient.objects.get(name="市大数据局")
    assert client.user.has_perm("accounts.view_all_townships")
    assert abs(client.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert "到期时间" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "x", "--scope", "reference:read"],  # neither --township nor --city-wide
        ["--name", "x", "--scope", "reference:read", "--township", "xiashi", "--city-wide"],
        ["--name", "x", "--scope", "everything:write", "--city-wide"],
        ["--name", "x", "--scope", "reference:read", "--township", "atlantis"],
        ["--name", "x", "--scope", "reference:read", "--city-wide", "--expires-at", "2001-01-01"],
        ["--name", "x", "--scope", "reference:read", "--city-wide", "--expires-at", "next week"],
        ["--name", "x", "--scope", "reference:read", "--city-wide", "--expires-days", "0"],
    ],
)
def test_create_command_refuses_bad_input_and_creates_nothing(reference, args):
    with pytest.raises((CommandError, SystemExit)):
        run("api_client_create", *args)
    assert not ApiClient.objects.exists()


def test_create_command_refuses_a_duplicate_name(issued):
    with pytest.raises(CommandError):
        run("api_client_create", "--name", "省局平台", "--scope", "reference:read", "--city-wide")
    assert ApiClient.objects.count() == 1


def test_revoke_command(issued):
    client, token = issued
    out = run("api_client_revoke", "--name", "省局平台")
    assert "已吊销" in out and client.token_prefix in out
    assert bearer(token).get(TOWNSHIPS).status_code == 401
    assert "无需重复" in run("api_client_revoke", "--prefix", client.token_prefix)
    with pytest.raises(CommandError):
        run("api_client_revoke", "--id", "999999")
