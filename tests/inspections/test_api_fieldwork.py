"""API of the fieldwork: the scoped contract on tasks, results and publications (an inspector sees only their
tasks), result writes by the assigned inspector or a client with inspections:write, idempotent phone submissions
(API-09), 409 for stale versions and a second finalisation (CONC-03, also concurrently on PostgreSQL), change feeds."""

import base64
import threading
import uuid

import pytest
from django.db import connections
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.inspections.choices import ResultStatus
from apps.inspections.fieldwork.selectors import task_check_items
from apps.inspections.fieldwork.services.results import result_finalise, result_start
from apps.inspections.models import InspectionResult, Publication
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import ScopedEndpointContract, TownshipScopedEndpointContract

from .factories import make_enterprise, make_inspector, make_task
from .fieldwork_helpers import field_fixture, png_bytes  # noqa: F401

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/inspections/tasks/"
RESULTS = "/api/v1/inspections/results/"
PUBLICATIONS = "/api/v1/inspections/publications/"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _inspector_pair(township):
    return [make_inspector(township=township), make_inspector(township=township)]


def _final_result(township):
    """A finalised result (with its publication) for a fresh task in ``township``, written by its inspector."""
    from tests.conftest import make_user

    user = make_user(f"insp-{uuid.uuid4().hex[:8]}", "inspector", [township])
    me = make_inspector(township=township, user=user)
    task = make_task(make_enterprise(township), inspectors=[me, make_inspector(township=township)])
    draft = result_start(actor=user, task_id=task.pk)
    from apps.inspections.fieldwork.services.results import result_save

    result_save(
        actor=user,
        result_id=draft.pk,
        data={"outcome": "pass"},
        items={ci.pk: ("conform", "") for ci in task_check_items(task)},
        inspector_signature=png_bytes(),
        operator_signature=png_bytes(),
    )
    return result_finalise(actor=user, result_id=draft.pk)


# ---------------------------------------------------------------------------- the scoped contract
class TestTasksByTownship(TownshipScopedEndpointContract):
    list_url = TASKS
    client_scope = "inspections:read"

    def make(self, township):
        return make_task(make_enterprise(township), inspectors=_inspector_pair(township))


class TestTasksForAnInspector(ScopedEndpointContract):
    """The inspector sees the tasks assigned to them — not the other tasks of their own township.

    API clients have no inspector identity: ``client_for`` gives a client of another township (it sees neither
    row); clients are covered by TestTasksByTownship."""

    list_url = TASKS
    client_scope = "inspections:read"

    @pytest.fixture(autouse=True)
    def _world(self, township_a, township_b, inspector_a):
        self.township_a, self.township_b = township_a, township_b
        self.me = make_inspector(township=township_a, user=inspector_a)

    @pytest.fixture
    def viewer(self, inspector_a):
        return inspector_a

    @pytest.fixture
    def wide_viewer(self, city_staff):
        return city_staff

    def make_visible(self, viewer):
        return make_task(
            make_enterprise(self.township_a), inspectors=[self.me, make_inspector(township=self.township_a)]
        )

    def make_hidden(self, viewer):
        return make_task(make_enterprise(self.township_a), inspectors=_inspector_pair(self.township_a))

    def client_for(self, viewer, scopes):
        return api_client_create(
            name=f"contract-{uuid.uuid4().hex[:8]}", scopes=scopes, township_codes=[self.township_b.code]
        )


class TestResults(TownshipScopedEndpointContract):
    list_url = RESULTS
    client_scope = "inspections:read"

    def make(self, township):
        return _final_result(township)


class TestPublications(TownshipScopedEndpointContract):
    list_url = PUBLICATIONS
    client_scope = "inspections:read"

    def make(self, township):
        return _final_result(township).publication


# ---------------------------------------------------------------------------- behaviour
def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(task, **extra):
    body = {
        "outcome": "pass",
        "summary": "经营场所整洁",
        "operator_signer_name": "王老板",
        "items": [{"check_item": ci.pk, "verdict": "conform", "note": ""} for ci in task_check_items(task)],
        "inspector_signature_png": _b64(png_bytes()),
        "operator_signature_png": "data:image/png;base64," + _b64(png_bytes(color=(1, 1, 1))),
    }
    body.update(extra)
    return body


def test_task_detail_lists_its_check_items(field):
    body = _api(field.user).get(f"{TASKS}{field.task.pk}/").json()
    assert body["enterprise"]["name"] == "海宁市硖石美味餐饮店"
    assert [i["badge"] for i in body["inspectors"]] == [field.me.badge_no, field.colleague.badge_no]
    assert body["check_items"] and all(i["code"].startswith("CY-") for i in body["check_items"])


def test_inspector_writes_draft_then_finalises(field, city_staff, user_factory, township_a):
    client = _api(field.user)
    created = client.post(RESULTS, {"task": field.task.pk, **_body(field.task)}, format="json")
    assert created.status_code == 201, created.json()
    result = created.json()
    assert result["status"] == "draft" and result["inspector_signature_sha256"] and len(result["items"]) > 5
    again = client.post(RESULTS, {"task": field.task.pk}, format="json")
    assert again.status_code == 409
    stale = client.patch(f"{RESULTS}{result['id']}/", {"version": 1, "summary": "旧版本"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    saved = client.patch(
        f"{RESULTS}{result['id']}/", {"summary": "新情况"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert saved.status_code == 200 and saved.json()["summary"] == "新情况"
    final = client.post(f"{RESULTS}{result['id']}/finalise/", {"version": saved.json()["version"]}, format="json")
    assert final.status_code == 200 and final.json()["status"] == "final" and len(final.json()["content_hash"]) == 64
    second = _api(field.colleague_user).post(f"{RESULTS}{result['id']}/finalise/", {}, format="json")
    assert second.status_code == 409
    edit = client.patch(f"{RESULTS}{result['id']}/", {"summary": "改"}, format="json")
    assert edit.status_code == 409 and edit.json()["code"] == "result_final"
    # others: not assigned → 404; city staff (no write permission) → 403
    outsider = user_factory("inspector_z", "inspector", [township_a])
    make_inspector(township=township_a, user=outsider)
    assert _api(outsider).post(RESULTS, {"task": field.task.pk}, format="json").status_code == 404
    assert _api(outsider).get(f"{RESULTS}{result['id']}/").status_code == 404
    assert (
        _api(city_staff).post(f"{RESULTS}{result['id']}/correct/", {"reason": "更正理由"}, format="json").status_code
        == 403
    )
    corrected = client.post(f"{RESULTS}{result['id']}/correct/", {"reason": "检查时间有误"}, format="json")
    assert corrected.status_code == 201 and corrected.json()["supersedes"] == result["id"]


def test_incomplete_finalise_is_400_with_fields(field):
    client = _api(field.user)
    created = client.post(RESULTS, {"task": field.task.pk, "outcome": "pass"}, format="json").json()
    response = client.post(f"{RESULTS}{created['id']}/finalise/", {}, format="json")
    assert response.status_code == 400
    assert {"items", "inspector_signature"} <= set(response.json()["fields"])


def test_api_client_with_write_scope_and_idempotency(field, township_a, township_b):
    _, token = api_client_create(
        name="mobile-app", scopes=["inspections:read", "inspections:write"], township_codes=[township_a.code]
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"task": field.task.pk, **_body(field.task)}
    missing = client.post(RESULTS, body, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    answers = [client.post(RESULTS, body, format="json", HTTP_IDEMPOTENCY_KEY="phone-1") for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    assert len({a.content for a in answers}) == 1  # identical replays
    assert InspectionResult.objects.filter(task=field.task).count() == 1
    other = client.post(RESULTS, {**body, "summary": "另一份"}, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    result_id = answers[0].json()["id"]
    final = [
        client.post(f"{RESULTS}{result_id}/finalise/", {}, format="json", HTTP_IDEMPOTENCY_KEY="phone-2")
        for _ in range(3)
    ]
    assert [f.status_code for f in final] == [200] * 3 and final[0].json()["status"] == "final"
    # a client of another township: the task does not exist for it
    _, token_b = api_client_create(name="other", scopes=["inspections:write"], township_codes=[township_b.code])
    client_b = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_b}")
    task2 = make_task(make_enterprise(township_a), inspectors=_inspector_pair(township_a))
    assert client_b.post(RESULTS, {"task": task2.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 404
    # read-only scope cannot write
    _, token_r = api_client_create(name="reader", scopes=["inspections:read"], township_codes=[township_a.code])
    reader = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_r}")
    denied = reader.post(RESULTS, {"task": task2.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert denied.status_code == 403 and denied.json()["code"] == "insufficient_scope"


def test_change_feeds(field, city_staff):
    client = _api(city_staff)
    first = client.get(TASKS, {"updated_since": "2000-01-01", "page_size": 1}).json()
    assert [r["id"] for r in first["results"]] == [field.task.pk] and first["next_cursor"]
    result_finalise(actor=field.user, result_id=field.complete_draft().pk)
    follow = client.get(TASKS, {"cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in follow["results"]] == [field.task.pk]  # changed again: it comes back in the feed
    assert follow["results"][0]["status"] == "finalised" and not follow["has_more"]
    pubs = client.get(PUBLICATIONS, {"updated_since": "2000-01-01T00:00:00+08:00"}).json()
    assert len(pubs["results"]) == 1 and pubs["results"][0]["status"] == "pending"
    feed = client.get(RESULTS, {"updated_since": "2000-01-01"}).json()
    assert feed["results"][0]["status"] == "final"
    assert client.get(TASKS, {"cursor": "garbage"}).status_code == 400


def test_feed_query_count_is_constant(city_staff, township_a):
    client = _api(city_staff)
    assert_constant_queries(
        fetch=lambda: client.get(PUBLICATIONS, {"updated_since": "2000-01-01"}).json(),
        add_rows=lambda n: [_final_result(township_a) for _ in range(n)],
    )


# ---------------------------------------------------------------------------- CONC-03 on PostgreSQL
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_devices_finalising_at_once_on_postgresql(field):
    draft = field.complete_draft()
    version = InspectionResult.objects.get(pk=draft.pk).version
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def device(user):
        try:
            client = _api(user)
            barrier.wait(timeout=30)
            try:
                response = client.post(f"{RESULTS}{draft.pk}/finalise/", {"version": version}, format="json")
            finally:
                connections.close_all()
            statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=device, args=(u,)) for u in (field.user, field.colleague_user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(statuses) == [200, 409]
    result = InspectionResult.objects.get(pk=draft.pk)
    assert result.status == ResultStatus.FINAL and result.version == version + 1
    assert Publication.objects.filter(result=result).count() == 1
