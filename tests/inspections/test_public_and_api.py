"""Staff draw pages and the read API with scopes (the public draw pages: tests/public/test_draw_pages.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.services import api_client_create
from apps.inspections.draws.services import plan_commit
from apps.inspections.models import Draw, DrawPlan, DrawPublicValue
from tests.helpers.queries import assert_constant_queries
from tests.inspections.draw_helpers import draw_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    return draw_now(actor=city_staff, plan_id=plan.pk)


# ---------------------------------------------------------------------------- staff pages
def test_city_staff_pages_create_commit_draw(world, city_staff):
    client = Client()
    client.force_login(city_staff)
    assert client.get(reverse("inspections:plans")).status_code == 200
    assert client.get(reverse("inspections:plan_create")).status_code == 200
    data = {
        "name": "页面创建的计划",
        "year": "2026",
        "round_label": "第二批",
        "exclude_inspected_months": "3",
        "exclude_closed": "on",
        "exclude_open_same_round": "on",
        "inspectors_per_task": "2",
        "avoid_previous_inspector": "on",
        "strata-TOTAL_FORMS": "2",
        "strata-INITIAL_FORMS": "0",
        "strata-MIN_NUM_FORMS": "1",
        "strata-MAX_NUM_FORMS": "12",
        "strata-0-label": "销售",
        "strata-0-business_types": ["food_sales"],
        "strata-0-count": "2",
        "strata-1-label": "其余",
        "strata-1-percent": "10",
    }
    response = client.post(reverse("inspections:plan_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan_url = response["Location"]
    detail = client.get(plan_url)
    assert "承诺公示" in detail.content.decode()
    pk = int(plan_url.rstrip("/").split("/")[-1])
    # irreversible steps: a preview page, then a confirmed POST of what the preview showed
    assert client.get(reverse("inspections:plan_commit", args=[pk])).status_code == 200
    version = DrawPlan.objects.get(pk=pk).version
    commit = client.post(reverse("inspections:plan_commit", args=[pk]), {"confirm": "yes", "version": version})
    assert commit.status_code == 302
    pending = Draw.objects.get(plan_id=pk)
    # hrs-v2: the draw page refuses until the public value is in; the value is previewed, then confirmed
    assert "尚未录入公开随机数" in client.get(reverse("inspections:plan_draw", args=[pk])).content.decode()
    url = reverse("inspections:plan_public_value", args=[pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"values": "", "witnesses": ""})  # as a browser submits an untouched form
    assert empty.status_code == 400 and "请录入公开随机数" in empty.content.decode()
    bad = client.post(url, {"values": "4711", "witnesses": ""})  # one witness is not a public session
    assert bad.status_code == 400 and "至少需要 2 名见证人" in bad.content.decode()
    preview = client.post(url, {"values": "４７１１\n 0815 ", "witnesses": "见证人甲\n见证人乙"})
    assert preview.status_code == 200 and "<code>4711</code>" in preview.content.decode()
    assert not DrawPublicValue.objects.exists()  # a preview stores nothing
    hidden = preview.context["confirm"].hidden
    confirmed = client.post(url, {"confirm": "yes", **hidden})
    assert confirmed.status_code == 302 and DrawPublicValue.objects.get(draw=pending).values == ["4711", "0815"]
    assert client.get(url).status_code == 302  # entered once: the page sends back to the plan
    assert client.get(reverse("inspections:plan_draw", args=[pk])).status_code == 200
    response = client.post(
        reverse("inspections:plan_draw", args=[pk]), {"confirm": "yes", "draw_uid": pending.draw_uid}
    )
    draw = Draw.objects.get(plan_id=pk)
    assert response["Location"] == reverse("inspections:draw_detail", args=[draw.pk])
    assert draw.outcome.selected_count == 2 + 3
    page = client.get(response["Location"]).content.decode()
    assert draw.selections.first().enterprise.name in page
    # a second draw from the page is refused with a message, nothing new stored
    client.post(reverse("inspections:plan_draw", args=[pk]), {"confirm": "yes", "draw_uid": pending.draw_uid})
    assert Draw.objects.filter(plan_id=pk).count() == 1


def test_township_staff_and_inspectors_cannot_open_plan_pages(world, city_staff, staff_a, inspector_a):
    plan = world.plan(city_staff)
    for user in (staff_a, inspector_a):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("inspections:plans")).status_code == 403
        assert client.post(reverse("inspections:plan_commit", args=[plan.pk])).status_code == 403
    assert Client().get(reverse("inspections:plans")).status_code == 302  # login first


# ---------------------------------------------------------------------------- API
def test_api_lists_plans_and_draws_with_verification(api_client, drawn, city_staff):
    api_client.force_authenticate(city_staff)
    plans = api_client.get("/api/v1/inspections/plans/")
    assert plans.status_code == 200 and plans.json()["count"] == 1
    assert plans.json()["results"][0]["draws"] == [drawn.draw_uid]
    draws = api_client.get("/api/v1/inspections/draws/").json()
    assert draws["results"][0]["seed"] == Draw.objects.get(pk=drawn.pk).seed_hex
    record = api_client.get(f"/api/v1/inspections/draws/{drawn.pk}/verification/").json()
    assert record["result_hash"] == drawn.outcome.result_hash


def test_api_draw_action_is_once_only(api_client, world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    api_client.force_authenticate(city_staff)
    early = api_client.post(f"/api/v1/inspections/plans/{plan.pk}/draw/")
    assert early.status_code == 409 and "公开随机数" in early.json()["message"]
    url = f"/api/v1/inspections/plans/{plan.pk}/public-value/"
    bad = api_client.post(url, {"values": ["1"], "witnesses": ["甲"]}, format="json")
    assert bad.status_code == 400
    entered = api_client.post(url, {"values": ["1", "2"], "witnesses": ["甲", "乙"]}, format="json")
    assert entered.status_code == 201 and entered.json()["public_values"] == ["1", "2"]
    again_value = api_client.post(url, {"values": ["3", "4"], "witnesses": ["甲", "乙"]}, format="json")
    assert again_value.status_code == 409
    first = api_client.post(f"/api/v1/inspections/plans/{plan.pk}/draw/")
    assert first.status_code == 201 and first.json()["status"] == "drawn"
    assert first.json()["signature_key_id"] == api_client.get("/api/v1/inspections/draws/signing-key/").json()["key_id"]
    again = api_client.post(f"/api/v1/inspections/plans/{plan.pk}/draw/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_api_client_needs_inspections_read_scope_and_cannot_draw(api_client, drawn, reference):
    with_scope, token = api_client_create(name="省平台", scopes=["inspections:read"], city_wide=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/api/v1/inspections/draws/").status_code == 200
    assert api_client.post(f"/api/v1/inspections/plans/{drawn.plan_id}/draw/").status_code == 403
    _other, token2 = api_client_create(name="只读名录", scopes=["enterprises:read"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token2}")
    assert api_client.get("/api/v1/inspections/draws/").status_code == 403


def test_api_refuses_roles_without_view_permission(api_client, drawn, staff_a, inspector_a):
    for user in (staff_a, inspector_a):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/inspections/plans/").status_code == 403
        assert api_client.get("/api/v1/inspections/draws/").status_code == 403


def test_api_lists_have_constant_query_counts(api_client, world, city_staff):
    api_client.force_authenticate(city_staff)
    made = []

    def add(n):
        for _ in range(n):
            plan = world.plan(city_staff, name=f"计划{len(made)}", round_label=f"批次{len(made)}")
            plan_commit(actor=city_staff, plan_id=plan.pk)
            made.append(plan)

    assert_constant_queries(lambda: api_client.get("/api/v1/inspections/plans/"), add)
    assert_constant_queries(lambda: api_client.get("/api/v1/inspections/draws/"), add, first=1, second=3)


def test_public_value_is_refused_before_the_stated_date(api_client, world, city_staff, now):
    import datetime as dt

    plan = world.plan(
        city_staff, randomness_kind="lottery", randomness_source="中国福利彩票 双色球 第2026140期 开奖号码"
    )
    plan.randomness_date = (now + dt.timedelta(days=3)).date()
    plan.save(update_fields=["randomness_date"])
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    assert (
        draw.public_randomness["kind"] == "lottery"
        and draw.public_randomness["date"] == plan.randomness_date.isoformat()
    )
    api_client.force_authenticate(city_staff)
    url = f"/api/v1/inspections/plans/{plan.pk}/public-value/"
    early = api_client.post(url, {"values": ["03 07 12 19 25 31 + 09"]}, format="json")
    assert early.status_code == 409 and "此前不能录入" in early.json()["message"]
    assert not DrawPublicValue.objects.exists()
    client = Client()
    client.force_login(city_staff)
    page = client.get(reverse("inspections:plan_public_value", args=[plan.pk])).content.decode()
    assert "此前不能录入" in page and "disabled" in page


def test_a_lottery_plan_without_a_named_draw_cannot_commit(world, city_staff):
    from apps.common.exceptions import ValidationFailed

    plan = world.plan(city_staff, randomness_kind="lottery")
    with pytest.raises(ValidationFailed, match="公开随机数的来源"):
        plan_commit(actor=city_staff, plan_id=plan.pk)
