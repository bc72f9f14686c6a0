"""Staff accept suggestions into plan lines: tick → preview → confirm (as a browser posts it), the lines carry the
reasons, one audit event; bad input is a Chinese error naming the field and nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent
from apps.sampling.choices import LineOrigin, LineSource
from apps.sampling.models import PlanLine
from apps.sampling.targeting import selectors, services
from tests.factories.sampling import SamplingPlanFactory

from .conftest import make_enterprise, make_sample

pytestmark = pytest.mark.django_db
ACCEPT = "/sampling/suggestions/accept/"


@pytest.fixture
def world(township_a, township_b, catalogue, grades, open_plan, today):
    a1, a2, b1 = make_enterprise(township_a), make_enterprise(township_a), make_enterprise(township_b)
    grades[a1.pk] = "D"
    make_sample(a1, catalogue["catering"], today - dt.timedelta(days=60), "unqualified")
    major = catalogue["catering"].pk
    return {"a1": a1, "a2": a2, "b1": b1, "keys": [f"{a1.pk}-{major}", f"{b1.pk}-{major}"], "plan": open_plan}


def _targeted_lines():
    return PlanLine.objects.filter(origin=LineOrigin.SUGGESTION)


def test_service_creates_lines_with_reasons_and_one_audit_event(city_staff, world, today):
    before = AuditEvent.objects.count()
    lines = services.suggestions_accept(
        actor=city_staff, year=today.year, keys=world["keys"], plan_id=world["plan"].pk, month=5, batches=2
    )
    assert len(lines) == 2
    line = PlanLine.objects.get(enterprise=world["a1"])
    assert line.plan == world["plan"] and line.township == world["a1"].township and line.month == 5
    assert line.source == LineSource.TARGETED and line.origin == LineOrigin.SUGGESTION and line.batches == 2
    assert line.origin_ref == f"suggestion:{world['keys'][0]}"
    assert [r["code"] for r in line.reasons] == ["grade", "unqualified", "complaints", "staleness", "hazard"]
    grade = line.reasons[0]
    assert grade == {
        "code": "grade",
        "label": "风险等级",
        "raw": "D",
        "detail": "D 级",
        "score": 1.0,
        "weight": 30,
        "points": 30.0,
    }
    assert line.reasons[3]["raw"] == 60
    assert "靶向建议：总分" in line.note
    assert PlanLine.objects.get(enterprise=world["b1"]).township == world["b1"].township
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [e.action for e in events] == ["sampling.suggestions_accept"]
    assert events[0].changes["lines"] == sorted(line.pk for line in lines)
    # accepted pairs leave the year's ranking
    left = {s.key for s in selectors.suggestion_list(actor=city_staff, filters={})}
    assert not left & set(world["keys"])
    assert f"{world['a2'].pk}-{world['keys'][0].split('-')[1]}" in left


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keys": []}, "keys"),
        ({"keys": ["abc"]}, "keys"),
        ({"keys": ["999999-1"]}, "keys"),
        ({"keys": "1-1"}, "keys"),
        ({"month": 13}, "month"),
        ({"month": 0}, "month"),
        ({"batches": 0}, "batches"),
        ({"batches": 101}, "batches"),
        ({"plan_id": 999999}, "plan"),
        ({"year": 1999}, "year"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(city_staff, world, today, change, field):
    kwargs = {"year": today.year, "keys": world["keys"], "plan_id": world["plan"].pk, "month": 5, "batches": 1}
    kwargs.update(change)
    before = (PlanLine.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        services.suggestions_accept(actor=city_staff, **kwargs)
    assert field in exc.value.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert exc.value.status_code in (400, 404, 409)
    assert (PlanLine.objects.count(), AuditEvent.objects.count()) == before


def test_closed_plan_other_year_plan_and_already_planned_are_refused(city_staff, world, today):
    closed = SamplingPlanFactory(year=today.year, name="已结束的计划", status="closed")
    with pytest.raises(DomainError) as exc:
        services.suggestions_accept(actor=city_staff, year=today.year, keys=world["keys"], plan_id=closed.pk, month=1)
    assert exc.value.status_code == 409 and "plan" in exc.value.fields
    other = SamplingPlanFactory(year=today.year + 1, name="明年的计划", status="draft")
    with pytest.raises(DomainError) as exc:
        services.suggestions_accept(actor=city_staff, year=today.year, keys=world["keys"], plan_id=other.pk, month=1)
    assert "plan" in exc.value.fields
    services.suggestions_accept(
        actor=city_staff, year=today.year, keys=world["keys"][:1], plan_id=world["plan"].pk, month=1
    )
    with pytest.raises(DomainError) as exc:  # the same suggestion twice (a stale preview, a double post)
        services.suggestions_accept(
            actor=city_staff, year=today.year, keys=world["keys"], plan_id=world["plan"].pk, month=1
        )
    assert "keys" in exc.value.fields and world["keys"][0] in exc.value.message
    assert _targeted_lines().count() == 1


def test_township_staff_may_not_accept(staff_a, world, today, client):
    with pytest.raises(PermissionDenied):
        services.suggestions_accept(
            actor=staff_a, year=today.year, keys=world["keys"][:1], plan_id=world["plan"].pk, month=1
        )
    client.force_login(staff_a)
    assert client.post(ACCEPT, {"year": today.year, "pick": world["keys"][:1]}).status_code == 403
    html = client.get("/sampling/suggestions/").content.decode()
    assert 'name="pick"' not in html


def test_out_of_scope_key_for_a_township_bound_accepter(user_factory, township_a, world, today):
    """An accepter bound to township A cannot name B's enterprise (it does not exist for them)."""
    from django.contrib.auth.models import Permission

    user = user_factory("planner_a", "township_staff", [township_a])
    user.user_permissions.add(Permission.objects.get(codename="add_planline"))
    user = type(user).objects.get(pk=user.pk)
    with pytest.raises(DomainError) as exc:
        services.suggestions_accept(actor=user, year=today.year, keys=world["keys"], plan_id=world["plan"].pk, month=1)
    assert world["keys"][1] in exc.value.message and "keys" in exc.value.fields
    assert not _targeted_lines().exists()


def test_page_flow_tick_preview_confirm(client, city_staff, world, today):
    client.force_login(city_staff)
    preview = client.post(ACCEPT, {"year": str(today.year), "pick": world["keys"]})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "确认将 2 条靶向建议列入" in html and 'name="confirm" value="yes"' in html
    assert world["a1"].name in html and "D 级" in html
    assert not _targeted_lines().exists()  # a preview writes nothing
    confirm = preview.context["confirm"]
    data = {**confirm.hidden, "confirm": "yes", "plan": str(world["plan"].pk), "month": "7", "batches": "1"}
    done = client.post(ACCEPT, data)
    assert done.status_code == 302 and done["Location"].startswith("/sampling/suggestions/")
    assert _targeted_lines().filter(month=7).count() == 2


def test_page_confirm_with_empty_fields_is_400_naming_them(client, city_staff, world, today):
    client.force_login(city_staff)
    data = {
        "year": str(today.year),
        "keys": ",".join(world["keys"]),
        "confirm": "yes",
        "plan": "",
        "month": "",
        "batches": "",
    }
    response = client.post(ACCEPT, data)
    assert response.status_code == 400
    form = response.context["confirm"].form
    assert form.errors["plan"] == ["请选择抽检计划"]
    assert form.errors["month"] == ["请选择月份"]
    assert form.errors["batches"] == ["请填写每条批次"]
    assert not _targeted_lines().exists()


def test_page_confirm_of_a_stale_pick_is_400(client, city_staff, world, today):
    client.force_login(city_staff)
    data = {
        "year": str(today.year),
        "keys": "999999-1",
        "confirm": "yes",
        "plan": str(world["plan"].pk),
        "month": "1",
        "batches": "1",
    }
    response = client.post(ACCEPT, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "以下建议不存在、不在您的管辖范围内或已列入本年度计划" in html and "999999-1" in html
    assert not _targeted_lines().exists()


def test_preview_without_open_plan_cannot_be_confirmed(client, city_staff, township_a, catalogue, today):
    ent = make_enterprise(township_a)
    client.force_login(city_staff)
    response = client.post(ACCEPT, {"year": str(today.year), "pick": [f"{ent.pk}-{catalogue['catering'].pk}"]})
    assert response.status_code == 200
    assert f"尚无 {today.year} 年编制中或已下达的抽检计划" in response.content.decode()
    assert response.context["confirm"].blockers


def test_nothing_ticked_goes_back_with_a_message(client, city_staff, world, today):
    client.force_login(city_staff)
    response = client.post(ACCEPT, {"year": str(today.year)}, follow=True)
    assert "请先勾选要采纳的建议" in response.content.decode()
    assert client.get(ACCEPT).status_code == 302
