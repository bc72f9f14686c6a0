"""Quick tests (快检, issue 10 point 5): recorded as such — 阴性/阳性 per item and the result time — with the 4-hour
objection window for 食用农产品 shown as a clock on the sample and on the public page while open; a positive links
to a formal lab task; never published as a finding, never a lab conclusion."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import LineSource, SampleKind, TopicStatus, Verdict
from apps.sampling.models import ResultItem, SamplingDeadlines, VoteTopic
from apps.sampling.publicity import selectors as sel
from apps.sampling.publicity.services import publications as publication_services
from apps.sampling.publicity.services import quicktests as quick_services
from tests.factories.sampling import PlanLineFactory, SampleFactory, SamplingTaskFactory
from tests.factories.sampling import TestItemFactory as ItemFactory
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def items(category):
    first = ItemFactory(code="qt-op", name="有机磷和氨基甲酸酯类农药")
    second = ItemFactory(code="qt-clen", name="克伦特罗")
    first.categories.add(category)
    second.categories.add(category)
    return first, second


@pytest.fixture
def quick_sample(category, township_a, items):
    line = PlanLineFactory(category=category, township=township_a, source=LineSource.VOTE)
    task = SamplingTaskFactory(plan_line=line)
    return SampleFactory(
        task=task,
        is_quick_test=True,
        sample_kind=SampleKind.AGRICULTURAL,
        name="豇豆",
        sampled_on=dt.date(2026, 6, 10),
        production_date=dt.date(2026, 6, 9),
    )


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_sampler_records_a_quick_test_from_the_browser_form(sampler, quick_sample, items):
    first, second = items
    client = _signed_in(sampler)
    url = reverse("sampling:quick_test_detail", args=[quick_sample.pk])
    page = client.get(url).content.decode()
    assert "录入快检结果" in page and first.name in page and second.name in page
    with time_machine.travel(NOON, tick=False):
        response = client.post(
            url, {f"item_{first.pk}": "positive", f"item_{second.pk}": "", "result_at": "", "method_basis": "KJ 201710"}
        )
    assert response.status_code == 302
    quick_sample.refresh_from_db()
    assert quick_sample.quick_test_result_at == NOON
    assert quick_sample.conclusion == "" and quick_sample.concluded_at is None  # never a lab conclusion
    row = ResultItem.objects.get(sample=quick_sample)
    assert (row.test_item, row.value_text, row.verdict, row.method_basis) == (
        first,
        "阳性",
        Verdict.UNQUALIFIED,
        "KJ 201710",
    )
    assert AuditEvent.objects.get(action="sampling.quick_test_record").extra["positive"] is True
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        client.force_login(sampler)  # the session of the POST has idled out an hour later
        page = client.get(url).content.decode()
    assert 'data-testid="quick-clock"' in page and "还剩 3 小时 0 分" in page
    assert "快检阳性" in page  # the prompt for formal sampling


def test_the_objection_window_is_four_hours_for_edible_agricultural_products(quick_sample):
    quick_sample.quick_test_result_at = NOON
    clock = sel.quick_test_clock(quick_sample, now=NOON + dt.timedelta(hours=3, minutes=59))
    assert clock.applies and clock.open and clock.hours == 4 and clock.ends_at == NOON + dt.timedelta(hours=4)
    assert "还剩 0 小时 1 分" in clock.label
    closed = sel.quick_test_clock(quick_sample, now=NOON + dt.timedelta(hours=4))
    assert closed.applies and not closed.open and "届满" in closed.label
    quick_sample.sample_kind = SampleKind.PROCESSED
    other = sel.quick_test_clock(quick_sample, now=NOON + dt.timedelta(minutes=5))
    assert not other.applies and "非食用农产品" in other.label


def test_the_window_is_configuration_with_an_effective_date(quick_sample):
    SamplingDeadlines.objects.create(effective_from=dt.date(2026, 6, 1), quick_test_objection_hours=6)
    quick_sample.quick_test_result_at = NOON
    assert sel.quick_test_clock(quick_sample, now=NOON + dt.timedelta(hours=5)).open
    quick_sample.quick_test_result_at = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)  # before the new row: default 4
    assert (
        sel.quick_test_clock(quick_sample, now=quick_sample.quick_test_result_at + dt.timedelta(hours=5)).open is False
    )


def test_bad_quick_test_input_is_refused_naming_the_field(sampler, quick_sample, items, category):
    first, _ = items
    stranger = ItemFactory(code="qt-other", name="别的分类的项目")
    stranger.categories.add(category.__class__.objects.create(code="OTHER", name="其他", level=1))
    cases = [
        ({}, "readings"),
        ({first.pk: ""}, "readings"),
        ({first.pk: "maybe"}, f"item_{first.pk}"),
        ({stranger.pk: "negative"}, f"item_{stranger.pk}"),
        ({"x": "negative"}, "readings"),
    ]
    for readings, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            quick_services.quick_test_record(actor=sampler, sample_id=quick_sample.pk, readings=readings)
        assert field in exc.value.fields, (readings, exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        quick_services.quick_test_record(
            actor=sampler,
            sample_id=quick_sample.pk,
            readings={first.pk: "negative"},
            result_at=timezone.now() + dt.timedelta(hours=2),
        )
    assert "result_at" in exc.value.fields
    assert not ResultItem.objects.exists()
    client = _signed_in(sampler)
    response = client.post(
        reverse("sampling:quick_test_detail", args=[quick_sample.pk]),
        {f"item_{first.pk}": "", "result_at": "", "method_basis": ""},
    )
    assert response.status_code == 400 and "请至少填写一个快检项目的结果" in response.content.decode()


def test_a_recorded_quick_test_is_fixed_and_lab_samples_are_not_quick_tests(sampler, quick_sample, items, township_a):
    first, _ = items
    quick_services.quick_test_record(actor=sampler, sample_id=quick_sample.pk, readings={first.pk: "negative"})
    with pytest.raises(InvalidTransition, match="已录入"):
        quick_services.quick_test_record(actor=sampler, sample_id=quick_sample.pk, readings={first.pk: "positive"})
    lab_sample = SampleFactory(task=SamplingTaskFactory(plan_line=PlanLineFactory(township=township_a)))
    with pytest.raises(InvalidTransition, match="不是快检样品"):
        quick_services.quick_test_record(actor=sampler, sample_id=lab_sample.pk, readings={first.pk: "positive"})


def test_only_those_who_record_samples_may_record_quick_tests(staff_a, city_staff, quick_sample, items, staff_b):
    first, _ = items
    url = reverse("sampling:quick_test_detail", args=[quick_sample.pk])
    assert _signed_in(staff_a).get(url).status_code == 200  # township staff read it
    assert _signed_in(staff_a).post(url, {f"item_{first.pk}": "negative"}).status_code == 403
    assert _signed_in(staff_b).get(url).status_code == 404  # another township's sample does not exist for them
    assert not ResultItem.objects.exists()


def test_a_positive_quick_test_links_to_the_lab_task_form_of_its_line(client, city_staff, quick_sample):
    from apps.sampling.publicity import views

    link = views.lab_task_link(quick_sample)
    assert link.startswith(reverse("sampling:task_create") + "?")
    assert f"line={quick_sample.task.plan_line_id}" in link
    client.force_login(city_staff)
    page = client.get(link)
    assert page.status_code == 200 and quick_sample.enterprise.name in page.content.decode()


def test_quick_tests_are_never_published_as_findings(city_staff, quick_sample, sampler, items):
    first, _ = items
    quick_services.quick_test_record(actor=sampler, sample_id=quick_sample.pk, readings={first.pk: "positive"})
    with pytest.raises(InvalidTransition, match="快检"):
        publication_services.sample_publish(actor=city_staff, sample_id=quick_sample.pk)
    # forced published in the database: still not on the portal as a result
    type(quick_sample).objects.filter(pk=quick_sample.pk).update(
        published_at=timezone.now(), conclusion=Verdict.UNQUALIFIED, concluded_at=timezone.now()
    )
    assert not sel.public_results().filter(pk=quick_sample.pk).exists()
    assert Client().get(reverse("public_sampling:result", args=[quick_sample.number])).status_code == 404
    assert sel.public_results_count() == 0


def test_the_public_vote_page_shows_quick_tests_labelled_with_the_open_clock(sampler, quick_sample, items):
    first, _ = items
    topic = VoteTopic.objects.create(
        title="菜市场豇豆快检",
        opens_on=dt.date(2026, 5, 1),
        closes_on=dt.date(2026, 5, 31),
        status=TopicStatus.ADOPTED,
        plan_line=quick_sample.task.plan_line,
    )
    with time_machine.travel(NOON, tick=False):
        quick_services.quick_test_record(actor=sampler, sample_id=quick_sample.pk, readings={first.pk: "negative"})
    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        html = Client().get(reverse("public_sampling:votes")).content.decode()
    card = html[html.index(f'id="topic-{topic.pk}"') :]
    assert "快检" in card and "豇豆" in card and "阴性" in card and "异议期至" in card
    with time_machine.travel(NOON + dt.timedelta(hours=5), tick=False):
        later = Client().get(reverse("public_sampling:votes")).content.decode()
    assert "异议期至" not in later and "阴性" in later  # the clock goes once the window closes


def test_the_quick_test_list_runs_a_constant_number_of_queries(sampler, township_a, items):
    first, _ = items
    client = _signed_in(sampler)

    def add(n):
        for _ in range(n):
            s = SampleFactory(
                task=SamplingTaskFactory(plan_line=PlanLineFactory(township=township_a)),
                is_quick_test=True,
                quick_test_result_at=timezone.now(),
            )
            ResultItem.objects.create(
                sample=s, test_item=first, lab=s.sampling_org, value_text="阴性", verdict="qualified"
            )

    assert_constant_queries(lambda: client.get(reverse("sampling:quick_tests")), add)
    page = client.get(reverse("sampling:quick_tests") + "?recorded=positive").content.decode()
    assert "共 <strong>0</strong> 条" in page
