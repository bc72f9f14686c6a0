"""The 双随机 staff pages as a browser uses them (issue 8 points 3, 4, 5, 6, 9; issue 9 points 3 and 5).

Every POST here carries every field of the form, empty ones included, the way a browser submits it.
"""

import re

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.common.exceptions import ValidationFailed
from apps.inspections.choices import DrawPlanStatus, DrawStatus, RedrawRequestStatus, TaskStatus
from apps.inspections.draws.forms import StratumFormSet
from apps.inspections.draws.services import plan_commit, plan_create, redraw_request
from apps.inspections.models import Draw, DrawPlan, DrawStratum, InspectionTask, RedrawRequest
from tests.helpers.queries import assert_constant_queries
from tests.inspections.draw_helpers import draw_now, enter_public_value

from .factories import make_enterprise

pytestmark = pytest.mark.django_db


def plan_form_data(**overrides) -> dict:
    """The plan form exactly as the browser posts it: every field, empty ones as ""; one stratum."""
    data = {
        "name": "2026年第二批双随机抽查",
        "year": "2026",
        "round_label": "第二批",
        "description": "",
        "exclude_inspected_months": "3",
        "exclude_closed": "on",
        "exclude_open_same_round": "on",
        "inspectors_per_task": "2",
        "avoid_previous_inspector": "on",
        "load_cap": "",
        "task_due_date": "",
        "scheduled_at": "",
        "randomness_kind": "",
        "randomness_source": "",
        "randomness_date": "",
        "strata-TOTAL_FORMS": "1",
        "strata-INITIAL_FORMS": "0",
        "strata-MIN_NUM_FORMS": "1",
        "strata-MAX_NUM_FORMS": "12",
        "strata-0-label": "全部对象",
        "strata-0-key": "",
        "strata-0-percent": "5",
        "strata-0-count": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff_client(city_staff):
    client = Client()
    client.force_login(city_staff)
    return client


# ---------------------------------------------------------------------------- bounds (issue 8 point 9)
def test_untouched_form_with_empty_fields_saves_a_draft(world, staff_client):
    response = staff_client.post(reverse("inspections:plan_create"), plan_form_data())
    assert response.status_code == 302, response.content.decode()[:1500]
    plan = DrawPlan.objects.get(name="2026年第二批双随机抽查")
    assert plan.status == DrawPlanStatus.DRAFT and plan.load_cap is None and plan.task_due_date is None
    assert plan.randomness_kind == "witnesses" and plan.randomness_date is None  # hrs-v2 default: public session


def test_a_lottery_source_with_its_date_from_the_form_is_committed(world, staff_client, city_staff):
    import datetime as dt

    from django.utils import timezone

    past = staff_client.post(
        reverse("inspections:plan_create"),
        plan_form_data(
            randomness_kind="lottery", randomness_date=(timezone.localdate() - dt.timedelta(days=1)).isoformat()
        ),
    )
    assert past.status_code == 200 and "公开随机数日期不能早于今天" in past.content.decode()
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    source = "中国福利彩票 双色球 第2026140期 开奖号码"
    ok = staff_client.post(
        reverse("inspections:plan_create"),
        plan_form_data(randomness_kind="lottery", randomness_source=source, randomness_date=later),
    )
    assert ok.status_code == 302
    plan = DrawPlan.objects.get(randomness_source=source)
    preview = staff_client.get(reverse("inspections:plan_commit", args=[plan.pk])).content.decode()
    assert source in preview and later in preview
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    assert draw.public_randomness == {"kind": "lottery", "source": source, "date": later}


def test_forged_total_forms_builds_at_most_twelve_forms_and_is_refused(world, staff_client):
    url = reverse("inspections:plan_create")
    staff_client.post(url, plan_form_data(**{"strata-TOTAL_FORMS": "13"}))  # warm caches
    with CaptureQueriesContext(connection) as thirteen:
        staff_client.post(url, plan_form_data(**{"strata-TOTAL_FORMS": "13"}))
    with CaptureQueriesContext(connection) as forged:
        response = staff_client.post(url, plan_form_data(**{"strata-TOTAL_FORMS": "100000"}))
    assert len(forged) == len(thirteen)  # the stratum choices are read once per formset, not once per form
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 12
    assert "最多 12 个分层" in response.content.decode()
    assert not DrawPlan.objects.exists()


def test_every_stratum_formset_is_capped():
    formset = StratumFormSet(
        {"strata-TOTAL_FORMS": "5000", "strata-INITIAL_FORMS": "0"}, prefix="strata", form_kwargs={}
    )
    assert formset.absolute_max == formset.max_num == 12 and formset.validate_max
    assert formset.total_form_count() == 12 and not formset.is_valid()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "99999999999", "年度应在 2020–2100 之间"),
        ("year", "2019", "年度应在 2020–2100 之间"),
        ("year", "2101", "年度应在 2020–2100 之间"),
        ("year", "二〇二六", "年度请填写四位数字"),
        ("exclude_inspected_months", "999", "排除月数应在 0–36 之间"),
        ("inspectors_per_task", "11", "每户检查人员数应在 2–10 之间"),
        ("inspectors_per_task", "1", "每户检查人员数应在 2–10 之间"),
        ("load_cap", "0", "每人未完成任务上限应在 1–1000 之间"),
        ("load_cap", "40000", "每人未完成任务上限应在 1–1000 之间"),
        ("task_due_date", "9999-12-31", "检查完成期限应在 2020–2100 年之间"),
        ("task_due_date", "2020-01-02", "检查完成期限不能早于今天"),
        ("scheduled_at", "9999-12-31T10:00", "计划抽取时间应在 2020–2100 年之间"),
        ("strata-0-percent", "1000", "抽取比例应在 0.01%–100% 之间"),
        ("strata-0-percent", "0", "抽取比例应在 0.01%–100% 之间"),
        ("strata-0-percent", "NaN", "抽取比例请填写数字"),
        ("description", "说" * 2001, "说明最多 2000 个字"),
    ],
)
def test_out_of_domain_numbers_are_refused_with_a_chinese_message(world, staff_client, field, value, message):
    response = staff_client.post(reverse("inspections:plan_create"), plan_form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DrawPlan.objects.exists()


def test_a_count_of_ten_to_the_fifteen_is_refused(world, staff_client):
    data = plan_form_data(**{"strata-0-percent": "", "strata-0-count": str(10**15)})
    response = staff_client.post(reverse("inspections:plan_create"), data)
    assert response.status_code == 200
    assert "抽取户数应在 0–100000 之间" in response.content.decode()
    assert not DrawPlan.objects.exists()


def test_edit_refuses_bounds_too(world, staff_client, city_staff):
    plan = world.plan(city_staff)
    data = plan_form_data(year="99999999999", version=str(plan.version))
    response = staff_client.post(reverse("inspections:plan_update", args=[plan.pk]), data)
    assert response.status_code == 200 and "年度应在 2020–2100 之间" in response.content.decode()
    plan.refresh_from_db()
    assert plan.year == 2026


@pytest.mark.parametrize("version", ["abc", "99999999999999999999", "-1"])
def test_a_forged_version_on_edit_is_a_message_not_a_500(world, staff_client, city_staff, version):
    plan = world.plan(city_staff)
    data = plan_form_data(name="改过的名称", version=version)
    response = staff_client.post(reverse("inspections:plan_update", args=[plan.pk]), data)
    assert response.status_code == 200 and "数据已被他人修改" in response.content.decode()
    plan.refresh_from_db()
    assert plan.name != "改过的名称"


def test_services_and_database_refuse_out_of_domain_numbers(world, city_staff):
    with pytest.raises(ValidationFailed):
        plan_create(actor=city_staff, strata=[{"key": "all", "count": 1}], name="x", year=99999, round_label="一")
    with pytest.raises(ValidationFailed):
        plan_create(actor=city_staff, strata=[{"key": "all", "count": 10**15}], name="x", year=2026, round_label="一")
    assert not DrawPlan.objects.exists()
    plan = world.plan(city_staff)
    for field, value in (
        ("year", 30000),
        ("inspectors_per_task", 11),
        ("load_cap", 0),
        ("exclude_inspected_months", 99),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DrawPlan.objects.filter(pk=plan.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        DrawStratum.objects.filter(plan=plan).update(proportion=None, count=10**6)


# ---------------------------------------------------------------------------- status transitions (issue 9 point 5)
def test_plan_and_draw_transitions_come_from_the_declared_tables(world, city_staff):
    plan = world.plan(city_staff)
    assert plan.can_commit and plan.can_cancel and not plan.can_transition_to(DrawPlanStatus.DRAWN)
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    plan.refresh_from_db()
    assert not plan.can_commit and plan.can_cancel and plan.can_transition_to(DrawPlanStatus.DRAWN)
    assert draw.can_transition_to(DrawStatus.DRAWN)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    plan.refresh_from_db()
    assert not plan.can_cancel and not plan.can_commit
    assert not Draw.objects.get(pk=drawn.pk).can_transition_to(DrawStatus.DRAWN)


# ---------------------------------------------------------------------------- preview + confirm (issue 8 point 4)
def test_commit_preview_shows_pools_quotas_and_exclusions_and_changes_nothing(world, staff_client, city_staff):
    plan = world.plan(
        city_staff,
        strata=[
            {"key": "shops", "label": "食品销售", "filter": {"business_types": ["food_sales"]}, "count": 3},
            {"key": "rest", "label": "其余对象", "proportion": "0.1"},
        ],
    )
    page = staff_client.get(reverse("inspections:plan_commit", args=[plan.pk]))
    assert page.status_code == 200
    preview = page.context["preview"]
    assert [(s["label"], s["pool"], s["k"]) for s in preview["strata"]] == [("食品销售", 20, 3), ("其余对象", 30, 3)]
    html = page.content.decode()
    assert "食品销售" in html and "业态：食品销售" in html  # the stratum condition by name, not by code
    assert "food_sales" not in html and ">shops<" not in html
    assert "停业、注销的对象" in html and world.closed.uscc in html and world.closed.name in html
    assert 'name="confirm" value="yes"' in html and "csrfmiddlewaretoken" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP script-src 'self')
    plan.refresh_from_db()
    assert plan.status == DrawPlanStatus.DRAFT and not Draw.objects.exists()


def test_commit_needs_the_confirmation_of_the_previewed_version(world, staff_client, city_staff):
    plan = world.plan(city_staff)
    url = reverse("inspections:plan_commit", args=[plan.pk])
    unconfirmed = staff_client.post(url, {"version": plan.version})
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == url
    stale = staff_client.post(url, {"confirm": "yes", "version": plan.version - 1})
    assert stale.status_code == 302 and stale["Location"] == url
    assert not Draw.objects.exists()
    done = staff_client.post(url, {"confirm": "yes", "version": plan.version})
    assert done["Location"] == reverse("inspections:plan_detail", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.status == DrawPlanStatus.COMMITTED and Draw.objects.filter(plan=plan).count() == 1


def test_commit_preview_states_why_it_cannot_be_confirmed(world, staff_client, city_staff):
    plan = world.plan(city_staff, inspectors_per_task=10)  # 8 certified inspectors
    html = staff_client.get(reverse("inspections:plan_commit", args=[plan.pk])).content.decode()
    assert "现在不能确认" in html and "少于每户 10 人" in html and "disabled" in html


def test_draw_preview_then_confirm(world, staff_client, city_staff):
    plan = world.plan(city_staff)
    pending = plan_commit(actor=city_staff, plan_id=plan.pk)
    url = reverse("inspections:plan_draw", args=[plan.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and page.context["preview"]["total_k"] == 10
    assert "确认执行抽取" in page.content.decode() and "HMAC 排序抽取法" in page.content.decode()
    assert staff_client.post(url)["Location"] == url  # no confirmation: back to the preview
    assert staff_client.post(url, {"confirm": "yes", "draw_uid": "HN2026-99999-1"})["Location"] == url
    assert not Draw.objects.get(pk=pending.pk).outcome_or_none
    # hrs-v2: without the public value the confirm is refused and nothing is drawn
    refused = staff_client.post(url, {"confirm": "yes", "draw_uid": pending.draw_uid})
    assert refused["Location"] == reverse("inspections:plan_detail", args=[plan.pk])
    assert not Draw.objects.get(pk=pending.pk).outcome_or_none
    enter_public_value(actor=city_staff, plan_id=plan.pk)
    done = staff_client.post(url, {"confirm": "yes", "draw_uid": pending.draw_uid})
    assert done["Location"] == reverse("inspections:draw_detail", args=[pending.pk])
    assert Draw.objects.get(pk=pending.pk).status == DrawStatus.DRAWN


def test_cancel_preview_asks_for_a_reason_then_cancels(world, staff_client, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    plan.refresh_from_db()
    url = reverse("inspections:plan_cancel", args=[plan.pk])
    page = staff_client.get(url).content.decode()
    assert "已承诺的种子" in page and "确认取消计划" in page
    empty = staff_client.post(url, {"confirm": "yes", "version": plan.version, "reason": ""})
    assert empty.status_code == 200 and "请填写理由" in empty.content.decode()
    done = staff_client.post(url, {"confirm": "yes", "version": plan.version, "reason": "范围有误，重新制定"})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == DrawPlanStatus.CANCELLED


def test_redraw_approval_previews_the_tasks_it_cancels(world, city_staff, other_city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    first = draw_now(actor=city_staff, plan_id=plan.pk)
    req = redraw_request(actor=city_staff, draw_id=first.pk, reason="检查人员名单有误")
    url = reverse("inspections:redraw_decide", args=[req.pk])

    own = Client()
    own.force_login(city_staff)
    page = own.get(url, {"decision": "approve"}).content.decode()
    assert "须由申请人以外的工作人员审批" in page and "disabled" in page

    other = Client()
    other.force_login(other_city_staff)
    page = other.get(url, {"decision": "approve"})
    assert page.context["tasks_to_cancel"] == 10 and "尚未开始检查的 10 个任务将被取消" in page.content.decode()
    assert other.post(url, {"decision": "approve"}).status_code == 302  # unconfirmed: nothing happens
    too_long = other.post(url, {"decision": "approve", "confirm": "yes", "note": "意" * 201})
    assert too_long.status_code == 200 and "审批意见最多 200 个字" in too_long.content.decode()
    assert RedrawRequest.objects.get(pk=req.pk).status == RedrawRequestStatus.PENDING
    assert RedrawRequest.objects.get(pk=req.pk).status == RedrawRequestStatus.PENDING
    other.post(url, {"decision": "approve", "confirm": "yes", "note": "同意"})
    assert RedrawRequest.objects.get(pk=req.pk).status == RedrawRequestStatus.APPROVED
    assert InspectionTask.objects.filter(draw=first, status=TaskStatus.CANCELLED).count() == 10


def test_plan_page_offers_links_to_the_confirm_pages_not_direct_posts(world, staff_client, city_staff):
    plan = world.plan(city_staff)
    html = staff_client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert f'href="{reverse("inspections:plan_commit", args=[plan.pk])}"' in html
    assert f'href="{reverse("inspections:plan_cancel", args=[plan.pk])}"' in html
    assert f'action="{reverse("inspections:plan_commit", args=[plan.pk])}"' not in html
    assert f'action="{reverse("inspections:plan_cancel", args=[plan.pk])}"' not in html


# ---------------------------------------------------------------------------- draw result (issue 8 points 3, 5, 6)
def test_draw_result_rows_link_to_their_tasks_as_stacked_cards(world, staff_client, city_staff):
    plan = world.plan(city_staff, strata=[{"key": "s-all", "label": "全部对象", "proportion": "0.2"}])
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    html = staff_client.get(reverse("inspections:draw_detail", args=[draw.pk])).content.decode()
    assert "table-stack" in html and 'data-label="检查对象"' in html
    for task in InspectionTask.objects.filter(draw=draw):
        assert f'href="{reverse("inspections:task_detail", args=[task.pk])}"' in html
    assert "全部对象" in html and ">s-all<" not in html and "hrs-v1" not in html


def test_draw_result_query_count_is_constant(world, staff_client, city_staff, township_a):
    plan = world.plan(city_staff, strata=[{"key": "all", "count": 2}])
    plan_commit(actor=city_staff, plan_id=plan.pk)
    state = {"draw": draw_now(actor=city_staff, plan_id=plan.pk)}

    def add_rows(n):
        # a fresh plan drawing n more businesses each time (the page of the newest draw is measured)
        for _ in range(n):
            make_enterprise(township_a)
        p = world.plan(
            city_staff, strata=[{"key": "all", "count": n + 2}], round_label=f"批次{DrawPlan.objects.count()}"
        )
        plan_commit(actor=city_staff, plan_id=p.pk)
        state["draw"] = draw_now(actor=city_staff, plan_id=p.pk)

    def fetch():
        assert staff_client.get(reverse("inspections:draw_detail", args=[state["draw"].pk])).status_code == 200

    assert_constant_queries(fetch, add_rows)


# ---------------------------------------------------------------------------- admin (issue 9 point 3)
def test_admin_cannot_write_plans_strata_tasks_or_their_inspectors(world, city_staff, user_factory):
    root = user_factory("root_admin", "sys_admin", is_superuser=True, is_staff=True)
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    task = InspectionTask.objects.filter(draw=draw).first()
    client = Client()
    client.force_login(root)
    assert client.get(reverse("admin:inspections_drawplan_add")).status_code == 403
    assert client.get(reverse("admin:inspections_inspectiontask_add")).status_code == 403
    change = client.post(reverse("admin:inspections_drawplan_change", args=[plan.pk]), {"name": "改名", "year": "1"})
    assert change.status_code == 403
    assert client.post(reverse("admin:inspections_inspectiontask_change", args=[task.pk]), {}).status_code == 403
    assert client.get(reverse("admin:inspections_drawplan_change", args=[plan.pk])).status_code == 200  # view
    plan.refresh_from_db()
    assert plan.name != "改名"
    request = RequestFactory().get("/")
    request.user = root
    for model in (DrawPlan, InspectionTask):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_change_permission(request) and not inline.has_add_permission(request, None)


def test_commit_preview_query_count_is_constant(world, staff_client, city_staff, township_a):
    from apps.enterprises.choices import EnterpriseStatus

    plan = world.plan(city_staff, strata=[{"key": "all", "proportion": "0.1"}])
    url = reverse("inspections:plan_commit", args=[plan.pk])

    def add_rows(n):
        for _ in range(n):
            make_enterprise(township_a)
            make_enterprise(township_a, status=EnterpriseStatus.CANCELLED)  # listed among the exclusions

    def fetch():
        assert staff_client.get(url).status_code == 200

    assert_constant_queries(fetch, add_rows)
