"""Every write endpoint is idempotent and every write to a versioned row is conditional (SECURITY.md API-09, API-10).

The walk: each write operation of the OpenAPI schema resolves to a view that is an ``IdempotencyMixin`` (the schema
declares ``Idempotency-Key`` and 422) and, when it writes one row of a model with a ``version``, a
``ConditionalWriteMixin`` (the schema declares ``If-Match`` and 412). A new endpoint without them fails here.
Then the behaviour, through the real endpoints: replays, a reused key, stale tags, tags that move on every write.
"""

import datetime as dt

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.common.api.etags import ConditionalWriteMixin
from apps.common.api.idempotency import IdempotencyMixin
from apps.common.models import IdempotencyRecord, Job
from apps.enterprises.models import Enterprise
from tests.common.test_api_limits import WRITES, _schema
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _view_class(path):
    return resolve(path).func.cls


def _model_of(view_class):
    queryset = getattr(view_class, "queryset", None)
    return getattr(queryset, "model", None)


def _versioned(model) -> bool:
    return model is not None and any(f.name == "version" for f in model._meta.get_fields())


def _operation(schema, method, path):
    for template, operations in schema["paths"].items():
        filled = template.replace("{id}", "1").replace("{code}", "xiashi").replace("{sample}", "1")
        if filled == path:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} not in the schema")


def test_every_write_endpoint_is_idempotent_and_conditional_where_it_writes_a_versioned_row():
    schema = _schema()
    missing = []
    for method, path in WRITES:
        template, operation = _operation(schema, method, path)
        view = _view_class(path)
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if not issubclass(view, IdempotencyMixin) or "Idempotency-Key" not in headers:
            missing.append(f"{method} {template}: Idempotency-Key")
        if "422" not in operation["responses"]:
            missing.append(f"{method} {template}: 422")
        one_row = "{id}" in template
        if one_row and _versioned(_model_of(view)):
            if not issubclass(view, ConditionalWriteMixin) or "If-Match" not in headers:
                missing.append(f"{method} {template}: If-Match")
            if "412" not in operation["responses"]:
                missing.append(f"{method} {template}: 412")
    assert missing == []


def test_the_walk_sees_the_versioned_rows():
    conditional = [(m, p) for m, p in WRITES if issubclass(_view_class(p), ConditionalWriteMixin) and "/1/" in p]
    assert ("PATCH", "/api/v1/enterprises/1/") in conditional
    assert ("PATCH", "/api/v1/inspections/results/1/") in conditional
    assert ("POST", "/api/v1/inspections/results/1/finalise/") in conditional
    assert ("POST", "/api/v1/inspections/plans/1/draw/") in conditional


# ---------------------------------------------------------------------------------------------------- idempotency
def _bearer(token):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def registry_client(township_a):
    _, token = api_client_create(
        name="省平台", scopes=["enterprises:read", "enterprises:write"], township_codes=["xiashi"]
    )
    return _bearer(token)


def _create_body(**extra):
    return {"name": "海宁市硖石幂等测试餐饮店", "business_type": "catering", "township": "xiashi", **extra}


def test_a_create_resent_five_times_writes_once(registry_client):
    responses = [
        registry_client.post("/api/v1/enterprises/", _create_body(), format="json", HTTP_IDEMPOTENCY_KEY="e-1")
        for _ in range(5)
    ]
    assert [r.status_code for r in responses] == [201] * 5, responses[0].content
    assert len({r.content for r in responses}) == 1
    assert len({r["ETag"] for r in responses}) == 1 and len({r["Location"] for r in responses}) == 1
    assert Enterprise.objects.filter(name="海宁市硖石幂等测试餐饮店").count() == 1
    other = registry_client.post(
        "/api/v1/enterprises/", _create_body(name="另一家"), format="json", HTTP_IDEMPOTENCY_KEY="e-1"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert not Enterprise.objects.filter(name="另一家").exists()


def test_an_update_resent_bumps_the_version_once(registry_client, township_a):
    ent = EnterpriseFactory(township=township_a)
    url = f"/api/v1/enterprises/{ent.pk}/"
    first = registry_client.patch(
        url, {"name": "新名称"}, format="json", HTTP_IF_MATCH=ent.etag, HTTP_IDEMPOTENCY_KEY="u"
    )
    again = registry_client.patch(
        url, {"name": "新名称"}, format="json", HTTP_IF_MATCH=ent.etag, HTTP_IDEMPOTENCY_KEY="u"
    )
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert again["ETag"] == first["ETag"] == f'"{ent.pk}-2"'
    ent.refresh_from_db()
    assert ent.version == 2


def test_api_clients_must_send_a_key_on_every_write(registry_client, township_a):
    ent = EnterpriseFactory(township=township_a)
    response = registry_client.patch(f"/api/v1/enterprises/{ent.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"


def test_keys_are_scoped_per_user(api_client, staff_a, city_staff):
    body = {"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}}
    for user in (staff_a, city_staff):
        api_client.force_authenticate(user)
        response = api_client.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
        assert response.status_code == 202 and "Idempotent-Replayed" not in response
    assert Job.objects.count() == 2


def test_a_key_past_its_retention_is_a_new_request(api_client, staff_a, settings):
    settings.IDEMPOTENCY_RETENTION_HOURS = 2
    body = {"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}}
    api_client.force_authenticate(staff_a)
    api_client.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert api_client.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")["Idempotent-Replayed"]
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=3))
    fresh = api_client.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert fresh.status_code == 202 and "Idempotent-Replayed" not in fresh
    assert Job.objects.count() == 2 and IdempotencyRecord.objects.count() == 1


def test_a_non_object_body_with_a_key_is_a_400_not_a_500(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    for raw in ('"text"', "[1, 2]", "3", "null"):
        response = api_client.post("/api/v1/jobs/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=raw)
        assert response.status_code == 400, (raw, response.content)


# ---------------------------------------------------------------------------------------------------- ETag / If-Match
@pytest.fixture
def staff(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


def test_enterprise_etag_moves_on_every_write_and_a_stale_one_is_412(staff, township_a):
    ent = EnterpriseFactory(township=township_a)
    url = f"/api/v1/enterprises/{ent.pk}/"
    tags = [staff.get(url)["ETag"]]
    for name in ("第一次修改", "第二次修改"):
        response = staff.patch(url, {"name": name}, format="json", HTTP_IF_MATCH=tags[-1])
        assert response.status_code == 200
        assert response["ETag"] == f'"{ent.pk}-{response.json()["version"]}"' == staff.get(url)["ETag"]
        tags.append(response["ETag"])
    deactivated = staff.post(
        f"{url}deactivate/", {"status": "suspended", "reason": "装修"}, format="json", HTTP_IF_MATCH=tags[-1]
    )
    assert deactivated.status_code == 200
    tags.append(deactivated["ETag"])
    assert len(set(tags)) == 4
    before = Enterprise.objects.filter(pk=ent.pk).values().get()
    for stale in (tags[0], tags[2], f'"{ent.pk + 1}-{ent.version}"', "garbage", '"x-y"'):
        response = staff.patch(url, {"name": "覆盖"}, format="json", HTTP_IF_MATCH=stale)
        assert response.status_code == 412, (stale, response.content)
        body = response.json()
        assert body["code"] == "precondition_failed" and tags[-1] in body["message"]
    assert Enterprise.objects.filter(pk=ent.pk).values().get() == before
    assert staff.post(f"{url}reactivate/", {}, format="json", HTTP_IF_MATCH=tags[1]).status_code == 412
    ok = staff.post(f"{url}reactivate/", {}, format="json", HTTP_IF_MATCH=f"{tags[0]}, {tags[-1]}")
    assert ok.status_code == 200
    assert staff.patch(url, {"name": "不论版本"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_a_stale_if_match_is_412_even_with_a_bad_body(staff, township_a):
    """Preconditions come first (RFC 9110 §13.2.2): the client learns it must re-read before fixing its body."""
    ent = EnterpriseFactory(township=township_a)
    response = staff.patch(f"/api/v1/enterprises/{ent.pk}/", {"nonsense": 1}, format="json", HTTP_IF_MATCH='"1-99"')
    assert response.status_code == 412


@pytest.fixture
def draft(inspector_a, township_a):
    from apps.inspections.fieldwork.services.results import result_start
    from tests.inspections.factories import make_enterprise, make_inspector, make_task

    me = make_inspector(township=township_a, user=inspector_a)
    task = make_task(make_enterprise(township_a), inspectors=[me, make_inspector(township=township_a)])
    return result_start(actor=inspector_a, task_id=task.pk)


def test_inspection_result_etag_moves_and_a_stale_if_match_is_412(api_client, inspector_a, draft):
    api_client.force_authenticate(inspector_a)
    url = f"/api/v1/inspections/results/{draft.pk}/"
    first = api_client.get(url)["ETag"]
    saved = api_client.patch(url, {"summary": "现场良好"}, format="json", HTTP_IF_MATCH=first)
    assert saved.status_code == 200 and saved["ETag"] != first
    stale = api_client.patch(url, {"summary": "旧版本上的修改"}, format="json", HTTP_IF_MATCH=first)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert api_client.post(f"{url}finalise/", {}, format="json", HTTP_IF_MATCH=first).status_code == 412
    assert (
        api_client.post(f"{url}correct/", {"reason": "更正理由"}, format="json", HTTP_IF_MATCH=first).status_code == 412
    )
    draft.refresh_from_db()
    assert draft.summary == "现场良好" and draft.version == 2
    # the body's version keeps its old meaning (409), for clients that never read headers
    body_stale = api_client.patch(url, {"version": 1, "summary": "x"}, format="json")
    assert body_stale.status_code == 409


def test_a_draw_plan_answers_with_its_etag_refuses_a_stale_one_and_replays_a_resent_draw(
    api_client, city_staff, township_a, township_b
):
    from apps.inspections.draws.services import plan_commit
    from apps.inspections.models import Draw
    from tests.inspections.conftest import World
    from tests.inspections.draw_helpers import enter_public_value

    plan = World(township_a, township_b).plan(city_staff)
    api_client.force_authenticate(city_staff)
    url = f"/api/v1/inspections/plans/{plan.pk}/"
    before = api_client.get(url)["ETag"]
    plan_commit(actor=city_staff, plan_id=plan.pk)
    enter_public_value(actor=city_staff, plan_id=plan.pk)  # hrs-v2: the public value named at commit, then the draw
    committed = api_client.get(url)["ETag"]
    assert committed != before
    draws_before = list(Draw.objects.filter(plan=plan).values())  # the commitment
    assert api_client.post(f"{url}draw/", HTTP_IF_MATCH=before).status_code == 412
    assert list(Draw.objects.filter(plan=plan).values()) == draws_before
    first = api_client.post(f"{url}draw/", HTTP_IF_MATCH=committed, HTTP_IDEMPOTENCY_KEY="draw-1")
    again = api_client.post(f"{url}draw/", HTTP_IF_MATCH=committed, HTTP_IDEMPOTENCY_KEY="draw-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content and first.json()["status"] == "drawn"
    assert Draw.objects.filter(plan=plan).count() == len(draws_before)


def test_if_match_is_required_from_clients_only_where_the_view_says_so():
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if_match = [p for p in operation.get("parameters", []) if p["name"] == "If-Match"]
            if not if_match:
                continue
            view = _view_class(path.replace("{id}", "1"))
            assert if_match[0].get("required", False) is view.if_match_required_for_clients, (method, path)
            assert ("428" in operation["responses"]) is view.if_match_required_for_clients, (method, path)


def test_the_schema_declares_etag_where_the_server_sends_it():
    declared = set()
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                if "ETag" in answer.get("headers", {}):
                    declared.add((method.upper(), path, code))
    assert ("GET", "/api/v1/enterprises/{id}/", "200") in declared
    assert ("PATCH", "/api/v1/inspections/results/{id}/", "200") in declared
    assert ("GET", "/api/v1/inspections/plans/{id}/", "200") in declared
    assert ("POST", "/api/v1/inspections/plans/{id}/draw/", "201") not in declared  # a draw has no version
    assert not [d for d in declared if d[0] == "GET" and not d[1].endswith("}/")]  # never on a list
