"""The enterprise's objection to a quick test of 食用农产品 (issue 10 point 5): recorded on its behalf by township staff
or the sampler within the 4-hour window (refused after it, naming the deadline), decided by city staff (复检 / 维持 /
撤销), audited, shown on the quick-test record, and never published as final while pending."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import LineSource, ObjectionOutcome, SampleKind, TopicStatus
from apps.sampling.models import QuickTestObjection, VoteTopic
from apps.sampling.publicity.services import quicktests as quick_services
from tests.factories.sampling import PlanLineFactory, SampleFactory, SamplingTaskFactory
from tests.factories.sampling import TestItemFactory as ItemFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)  # 20:00 in Haining
WINDOW = dt.timedelta(hours=4)


@pytest.fixture
def item(category):
    made = ItemFactory(code="qt-op", name="有机磷和氨基甲酸酯类农药")
    made.categories.add(category)
    return made


def _quick(category, township, item, sampler, *, kind=SampleKind.AGRICULTURAL, record=True):
    line = PlanLineFactory(category=category, township=township, source=LineSource.VOTE)
    sample = SampleFactory(
        task=SamplingTaskFactory(plan_line=line),
        is_quick_test=True,
        sample_kind=kind,
        name="豇豆",
        sampled_on=dt.date(2026, 6, 10),
        production_date=dt.date(2026, 6, 9),
    )
    if record:
        with time_machine.travel(NOON, tick=False):
            quick_services.quick_test_record(actor=sampler, sample_id=sample.pk, readings={item.pk: "positive"})
    return sample


@pytest.fixture
def quick(category, township_a, item, sampler):
    return _quick(category, township_a, item, sampler)


def _object(actor, sample, at, **kw):
    kw.setdefault("objector", "张老板")
    kw.setdefault("reason", "对检测结果有异议，申请复检")
    return quick_services.objection_record(actor=actor, sample_id=sample.pk, now=at, **kw)


# ---------------------------------------------------------------------------- the window
@pytest.mark.parametrize("offset", [dt.timedelta(0), dt.timedelta(hours=3, minutes=59, seconds=59)])
def test_an_objection_within_the_window_is_recorded_and_audited(staff_a, quick, offset):
    objection = _object(staff_a, quick, NOON + offset)
    assert objection.outcome == ObjectionOutcome.PENDING and objection.recorded_by == staff_a
    event = AuditEvent.objects.get(action="sampling.quick_test_objection")
    assert event.extra["number"] == quick.number and event.extra["window_ends"] == (NOON + WINDOW).isoformat()


@pytest.mark.parametrize("offset", [WINDOW, WINDOW + dt.timedelta(seconds=1), WINDOW + dt.timedelta(days=1)])
def test_at_and_after_four_hours_it_is_refused_naming_the_deadline(sampler, quick, offset):
    with pytest.raises(InvalidTransition) as exc:
        _object(sampler, quick, NOON + offset)
    assert exc.value.message == "异议期（4 小时）已于 2026-06-11 00:00 届满，不能再录入异议"
    assert exc.value.status_code == 409 and not QuickTestObjection.objects.exists()


def test_no_window_before_the_result_or_for_other_foods(category, township_a, item, sampler, staff_a):
    pending = _quick(category, township_a, item, sampler, record=False)
    with pytest.raises(InvalidTransition, match="尚未录入"):
        _object(staff_a, pending, NOON)
    processed = _quick(category, township_a, item, sampler, kind=SampleKind.PROCESSED)
    with pytest.raises(InvalidTransition, match="只有食用农产品"):
        _object(staff_a, processed, NOON + dt.timedelta(hours=1))


def test_one_objection_per_quick_test_and_the_fields_are_required(staff_a, quick):
    with pytest.raises(ValidationFailed, match="请填写异议人") as exc:
        _object(staff_a, quick, NOON, objector="  ")
    assert exc.value.fields == {"objector": ["请填写异议人"]}
    with pytest.raises(ValidationFailed, match="请填写异议理由"):
        _object(staff_a, quick, NOON, reason="")
    _object(staff_a, quick, NOON)
    with pytest.raises(Conflict, match="已有异议"):
        _object(staff_a, quick, NOON + dt.timedelta(minutes=5))


def test_scope_and_permissions(staff_b, city_staff, leader, quick):
    with pytest.raises(OutOfScope):
        _object(staff_b, quick, NOON)  # another township's quick test does not exist for them
    with pytest.raises(PermissionDenied):
        _object(leader, quick, NOON)


# ---------------------------------------------------------------------------- the decision
def test_city_staff_decide_once_with_a_note(staff_a, city_staff, quick):
    _object(staff_a, quick, NOON)
    with pytest.raises(PermissionDenied):
        quick_services.objection_decide(actor=staff_a, sample_id=quick.pk, outcome="revoked", note="x")
    with pytest.raises(ValidationFailed, match="请选择处理结果"):
        quick_services.objection_decide(actor=city_staff, sample_id=quick.pk, outcome="pending", note="x")
    with pytest.raises(ValidationFailed, match="请填写处理意见"):
        quick_services.objection_decide(actor=city_staff, sample_id=quick.pk, outcome="recheck", note="")
    decided = quick_services.objection_decide(
        actor=city_staff, sample_id=quick.pk, outcome="recheck", note="送实验室复检，不得采用快检方法"
    )
    assert decided.outcome == ObjectionOutcome.RECHECK and decided.decided_by == city_staff
    assert AuditEvent.objects.get(action="sampling.quick_test_objection_decide").extra["outcome"] == "recheck"
    with pytest.raises(InvalidTransition, match="已处理（复检）"):
        quick_services.objection_decide(actor=city_staff, sample_id=quick.pk, outcome="upheld", note="改")


# ---------------------------------------------------------------------------- the pages, as a browser posts them
def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_record_page_takes_the_objection_and_the_decision(staff_a, city_staff, quick):
    detail = reverse("sampling:quick_test_detail", args=[quick.pk])
    client = _client(staff_a)
    city = _client(city_staff)
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        page = client.get(detail).content.decode()
        assert 'id="objection-form"' in page
        empty = client.post(reverse("sampling:quick_test_objection", args=[quick.pk]), {"objector": "", "reason": ""})
        assert empty.status_code == 302 and not QuickTestObjection.objects.exists()
        assert "请填写异议人" in client.get(detail).content.decode()
        client.post(
            reverse("sampling:quick_test_objection", args=[quick.pk]), {"objector": "张老板", "reason": "要求复检"}
        )
        assert QuickTestObjection.objects.get(sample=quick).objector == "张老板"
        page = client.get(detail).content.decode()
        assert "异议处理中（快检结果未确定）" in page and 'id="objection-decide-form"' not in page
        assert 'id="objection-decide-form"' in city.get(detail).content.decode()
        city.post(reverse("sampling:quick_test_objection_decide", args=[quick.pk]), {"note": ""})  # no outcome
        assert QuickTestObjection.objects.get(sample=quick).is_pending
        city.post(
            reverse("sampling:quick_test_objection_decide", args=[quick.pk]),
            {"outcome": "revoked", "note": "复核撤销"},
        )
        assert QuickTestObjection.objects.get(sample=quick).outcome == ObjectionOutcome.REVOKED
        assert "撤销快检结果" in client.get(detail).content.decode()


def test_after_the_window_the_page_refuses_with_the_deadline(sampler, quick):
    client = _client(sampler)
    with time_machine.travel(NOON + dt.timedelta(hours=5), tick=False):
        page = client.get(reverse("sampling:quick_test_detail", args=[quick.pk])).content.decode()
        assert 'id="objection-form"' not in page and "届满" in page
        client.post(reverse("sampling:quick_test_objection", args=[quick.pk]), {"objector": "张", "reason": "晚了"})
        page = client.get(reverse("sampling:quick_test_detail", args=[quick.pk])).content.decode()
    assert "已于 2026-06-11 00:00 届满，不能再录入异议" in page and not QuickTestObjection.objects.exists()


def test_the_objection_urls_are_404_outside_the_township(staff_b, quick):
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        response = _client(staff_b).post(
            reverse("sampling:quick_test_objection", args=[quick.pk]), {"objector": "张", "reason": "x"}
        )
    assert response.status_code == 404 and not QuickTestObjection.objects.exists()


# ---------------------------------------------------------------------------- what is published
def test_a_quick_test_under_objection_is_not_published_as_final(staff_a, city_staff, quick):
    topic = VoteTopic.objects.create(
        title="菜市场豇豆快检",
        opens_on=dt.date(2026, 5, 1),
        closes_on=dt.date(2026, 5, 31),
        status=TopicStatus.ADOPTED,
        plan_line=quick.task.plan_line,
    )

    def card():
        with time_machine.travel(NOON + dt.timedelta(hours=6), tick=False):
            html = Client().get(reverse("public_sampling:votes")).content.decode()
        return html[html.index(f'id="topic-{topic.pk}"') :]

    assert "reading-positive" in card()
    _object(staff_a, quick, NOON + dt.timedelta(hours=1))
    pending = card()
    assert "reading-positive" not in pending and "快检结果未确定" in pending
    quick_services.objection_decide(actor=city_staff, sample_id=quick.pk, outcome="upheld", note="维持")
    upheld = card()
    assert "reading-positive" in upheld and "维持快检结果" in upheld
