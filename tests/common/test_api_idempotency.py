"""Idempotency-Key (PRODUCT.md §5, SECURITY.md API-09): a replay returns the first response and does nothing else;
the same key with another request is 422; concurrent duplicates take effect once."""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.urls import path
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from apps.accounts.services import api_client_create
from apps.common.api.idempotency import IdempotencyMixin, idempotency_records_purge
from apps.common.models import AuditEvent, IdempotencyRecord, Job

URL = "/api/v1/jobs/"
BODY = {"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}}


def bearer(token):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def client_token(reference):
    _, token = api_client_create(name="省平台", scopes=["jobs:read", "jobs:write"], city_wide=True)
    return token


def test_five_replays_give_one_job_and_five_identical_responses(client_token):
    """API-09: the same key resent 5× over a flaky network → 1 record, 5 identical responses."""
    client = bearer(client_token)
    responses = [client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="push-0001") for _ in range(5)]
    assert {r.status_code for r in responses} == {202}
    assert len({r.content for r in responses}) == 1
    assert len({r["Location"] for r in responses}) == 1
    assert "Idempotent-Replayed" not in responses[0]
    assert all(r["Idempotent-Replayed"] == "true" for r in responses[1:])
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action="job.create").count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.key == "push-0001" and record.owner.startswith("client:") and record.status_code == 202


def test_key_order_and_whitespace_do_not_matter(client_token):
    client = bearer(client_token)
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    reordered = json.dumps({"payload": {"delay": 0, "steps": 1}, "kind": "common.selftest"}, indent=4)
    again = client.post(URL, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Job.objects.count() == 1


def test_same_key_with_another_body_is_422(client_token):
    client = bearer(client_token)
    assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    other = dict(BODY, payload={"steps": 2, "delay": 0})
    response = client.post(URL, other, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused" and set(body) == {"code", "message", "fields"}
    assert Job.objects.count() == 1


def test_same_key_on_another_path_is_422(client_token):
    client = bearer(client_token)
    assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    response = client.post(f"{URL}?page=1", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422


def test_keys_belong_to_their_owner(client_token, reference):
    _, other_token = api_client_create(name="另一平台", scopes=["jobs:write"], city_wide=True)
    assert bearer(client_token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    second = bearer(other_token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert second.status_code == 202 and "Idempotent-Replayed" not in second
    assert Job.objects.count() == 2


def test_a_failed_request_leaves_no_record_so_the_key_can_be_retried(client_token):
    client = bearer(client_token)
    bad = client.post(
        URL, {"kind": "common.selftest", "payload": {"steps": 0}}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 202 and "Idempotent-Replayed" not in good


def test_a_refused_request_leaves_no_record(reference):
    _, token = api_client_create(name="只读", scopes=["jobs:read"], city_wide=True)
    assert bearer(token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 403
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "键", "a\tb"])
def test_invalid_key_is_400(client_token, key):
    response = bearer(client_token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"))
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Job.objects.exists()


def test_session_users_may_send_a_key(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    first = api_client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="tab-1")
    again = api_client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="tab-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().owner == f"user:{staff_a.pk}"
    assert api_client.post(URL, BODY, format="json").status_code == 202  # no key: allowed for sessions
    assert Job.objects.count() == 2


def test_request_still_running_is_409(client_token):
    """A duplicate that finds the first request's record without a response (still running) is told to retry."""
    client = bearer(client_token)
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.filter(key="k").update(status_code=None, response_body=None)
    response = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 202
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_progress"
    assert Job.objects.count() == 1


def test_purge_removes_records_past_retention(client_token):
    bearer(client_token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    bearer(client_token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


# ---------------------------------------------------------------- PUT / PATCH through the mixin (test-only view)
CALLS = []


class CounterView(IdempotencyMixin, APIView):
    permission_classes = [IsAuthenticated]

    def put(self, request):
        CALLS.append(("PUT", request.data))
        return Response({"n": len(CALLS)})

    def patch(self, request):
        CALLS.append(("PATCH", request.data))
        return Response({"n": len(CALLS)}, status=202)


urlpatterns = [path("counter/", CounterView.as_view())]


@pytest.mark.urls(__name__)
def test_mixin_covers_put_and_patch(api_client, staff_a):
    CALLS.clear()
    api_client.force_authenticate(staff_a)
    for _ in range(3):
        assert api_client.put("/counter/", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="p").json() == {"n": 1}
        assert api_client.patch("/counter/", {"b": 2}, format="json", HTTP_IDEMPOTENCY_KEY="q").json() == {"n": 2}
    assert api_client.patch("/counter/", {"b": 3}, format="json", HTTP_IDEMPOTENCY_KEY="p").status_code == 422
    assert len(CALLS) == 2


# ---------------------------------------------------------------- real concurrency (PostgreSQL)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_take_effect_once(monkeypatch):
    """Two requests with the same key at the same moment: the second waits on the unique index, then replays."""
    from apps.accounts.services import reference_data_load, roles_sync
    from apps.common.api import views

    reference_data_load()
    roles_sync()
    _, token = api_client_create(name="并发", scopes=["jobs:write"], city_wide=True)

    barrier = threading.Barrier(2)
    real_job_create = views.job_create

    def slow_job_create(**kwargs):
        job = real_job_create(**kwargs)
        threading.Event().wait(0.5)  # hold the transaction open while the twin request arrives
        return job

    monkeypatch.setattr(views, "job_create", slow_job_create)
    results = []

    def send():
        try:
            barrier.wait()
            response = bearer(token).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
            results.append((response.status_code, response.get("Idempotent-Replayed"), response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2
    assert Job.objects.count() == 1
    statuses = sorted((status, replayed or "") for status, replayed, _ in results)
    assert statuses == [(202, ""), (202, "true")]
    assert results[0][2] == results[1][2]
