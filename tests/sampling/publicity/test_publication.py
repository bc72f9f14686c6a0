"""Publication (issue 10 point 8): the clock in working days from the conclusion, the hook that sets it, the beat
that publishes due results (and closed disposals' outcomes), staff publishing with preview and confirm, bulk, the
holds of an unqualified result, and risk monitoring never published — refused by the service, excluded by the portal
even when a row is forced published in the database."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common import hooks
from apps.common.exceptions import InvalidTransition
from apps.common.models import AuditEvent
from apps.sampling.choices import DisposalStatus, SamplingPurpose, Verdict
from apps.sampling.models import Disposal, Sample, SamplingDeadlines
from apps.sampling.publicity import selectors as sel
from apps.sampling.publicity.services import publications as publication_services
from tests.helpers.queries import assert_constant_queries

from .conftest import concluded

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hour=10):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------- the clock
def test_the_publish_clock_counts_working_days_across_mid_autumn_and_national_day(reference):
    # 2026: 中秋 25–27 Sep, 国庆 1–7 Oct; Saturday 10 Oct is a 调休 working day. 20 working days after Thu 24 Sep:
    # 28, 29, 30 Sep (3), 8, 9, 10, 12–16 Oct (11), 19–23 Oct (16), 26–29 Oct (20).
    assert sel.publish_due_for(_at(dt.date(2026, 9, 24))) == dt.date(2026, 10, 29)
    # the conclusion day is not counted; a Friday evening conclusion in Shanghai time counts from that Friday
    assert sel.publish_due_for(dt.datetime(2026, 3, 6, 15, 30, tzinfo=dt.UTC)) == dt.date(2026, 4, 3)


def test_the_working_days_are_configuration_with_an_effective_date(reference):
    SamplingDeadlines.objects.create(effective_from=dt.date(2026, 7, 1), publish_workdays=10)
    assert sel.publish_due_for(_at(dt.date(2026, 6, 30))) == dt.date(2026, 7, 28)  # the default 20 still
    assert sel.publish_due_for(_at(dt.date(2026, 7, 1))) == dt.date(2026, 7, 15)


def test_the_lab_conclusion_hook_sets_publish_due_and_none_for_monitoring(monitoring_plan):
    supervisory = concluded(concluded_at=_at(dt.date(2026, 9, 24)))
    monitoring = concluded(plan=monitoring_plan, concluded_at=_at(dt.date(2026, 9, 24)))
    notes = hooks.emit("sampling.sample_concluded", sample_id=supervisory.pk, actor=None)
    assert notes["sampling.publicity"] == {"publish_due": "2026-10-29"}
    supervisory.refresh_from_db()
    assert supervisory.publish_due == dt.date(2026, 10, 29)
    notes = hooks.emit("sampling.sample_concluded", sample_id=monitoring.pk, actor=None)
    assert notes["sampling.publicity"]["publish_due"] is None and "风险监测" in notes["sampling.publicity"]["reason"]
    monitoring.refresh_from_db()
    assert monitoring.publish_due is None


def test_the_clock_as_staff_see_it(reference):
    sample = concluded(concluded_at=_at(dt.date(2026, 9, 24)))
    sample.publish_due = dt.date(2026, 10, 29)
    assert sel.publish_clock(sample, today=dt.date(2026, 10, 8)).tone == "ok"
    warn = sel.publish_clock(sample, today=dt.date(2026, 10, 23))
    assert warn.tone == "warn" and "还剩 4 个工作日" in warn.label
    late = sel.publish_clock(sample, today=dt.date(2026, 10, 30))
    assert late.tone == "overdue" and "1 个工作日" in late.label
    sample.published_at = _at(dt.date(2026, 10, 30))
    assert "超期 1 个工作日" in sel.publish_clock(sample).label


# ---------------------------------------------------------------------------- monitoring: never
def test_the_service_refuses_to_publish_risk_monitoring_results(city_staff, monitoring_plan):
    sample = concluded(plan=monitoring_plan, conclusion=Verdict.UNQUALIFIED)
    with pytest.raises(InvalidTransition, match="风险监测结果") as exc:
        publication_services.sample_publish(actor=city_staff, sample_id=sample.pk)
    assert "purpose" in exc.value.fields
    outcome = publication_services.samples_publish_many(actor=city_staff, sample_ids=[sample.pk])
    assert outcome["published"] == [] and "风险监测" in outcome["refused"][sample.pk]
    Sample.objects.filter(pk=sample.pk).update(publish_due=dt.date(2026, 1, 1))  # even with a clock forced on it
    assert publication_services.samples_publish_due()["published"] == []
    sample.refresh_from_db()
    assert sample.published_at is None
    assert not AuditEvent.objects.filter(action="sampling.sample_publish").exists()
    # the staff page never offers it: monitoring is not a publication candidate at all
    page = _signed_in(city_staff).get(reverse("sampling:publications")).content.decode()
    assert sample.number not in page


def test_the_portal_excludes_monitoring_even_when_forced_published_in_the_database(monitoring_plan, reference):
    from apps.public.selectors import enterprise_lookup

    sample = concluded(plan=monitoring_plan, conclusion=Verdict.UNQUALIFIED, published=True, name="监测样品")
    Sample.objects.filter(pk=sample.pk).update(published_at=timezone.now(), purpose=SamplingPurpose.MONITORING)
    visible = concluded(conclusion=Verdict.QUALIFIED, published=True, name="监督样品")
    client = Client()
    listing = client.get(reverse("public_sampling:results")).content.decode()
    assert "监督样品" in listing and "监测样品" not in listing
    assert client.get(reverse("public_sampling:result", args=[sample.number])).status_code == 404
    assert client.get(reverse("public_sampling:result", args=[visible.number])).status_code == 200
    assert sel.public_results_count() == 1
    lookup = enterprise_lookup(sample.enterprise.name)
    titles = [r.title for row in lookup.rows for r in row.records]
    assert not any("监测样品" in t for t in titles)
    found = enterprise_lookup(visible.enterprise.name)
    assert any("监督样品" in r.title for row in found.rows for r in row.records)
    index = client.get(reverse("public:index")).content.decode()
    card = re.search(r'id="portal-section-sampling-results".*?</a>', index, re.S).group(0)
    assert 'portal-card-count">1<' in card


# ---------------------------------------------------------------------------- holds
def _disposal(sample, **values):
    defaults = {
        "opened_on": dt.date(2026, 6, 1),
        "notify_due": dt.date(2026, 6, 8),
        "verify_due": dt.date(2026, 8, 30),
    }
    defaults.update(values)
    return Disposal.objects.create(sample=sample, **defaults)


def test_an_unqualified_result_waits_for_delivery_the_recheck_window_and_the_recheck(city_staff):
    sample = concluded(conclusion=Verdict.UNQUALIFIED)
    disposal = _disposal(sample)
    today = dt.date(2026, 6, 10)
    assert "尚未送达" in sel.publication_hold(sample, today=today)
    Disposal.objects.filter(pk=disposal.pk).update(
        status=DisposalStatus.NOTIFIED, notified_on=dt.date(2026, 6, 5), recheck_due=dt.date(2026, 6, 12)
    )
    sample = Sample.objects.select_related("disposal").get(pk=sample.pk)
    assert "复检申请期至 2026-06-12" in sel.publication_hold(sample, today=today)
    assert sel.publication_hold(sample, today=dt.date(2026, 6, 13)) is None
    Disposal.objects.filter(pk=disposal.pk).update(status=DisposalStatus.RECHECKING)
    sample = Sample.objects.select_related("disposal").get(pk=sample.pk)
    assert "复检中" in sel.publication_hold(sample, today=dt.date(2026, 6, 20))
    with pytest.raises(InvalidTransition, match="复检中"):
        publication_services.sample_publish(actor=city_staff, sample_id=sample.pk)
    Disposal.objects.filter(pk=disposal.pk).update(status=DisposalStatus.VERIFYING)
    sample = Sample.objects.select_related("disposal").get(pk=sample.pk)
    assert sel.publication_hold(sample, today=dt.date(2026, 6, 20)) is None


# ---------------------------------------------------------------------------- the beat
def test_the_beat_sets_missing_clocks_publishes_due_results_and_closed_outcomes(reference):
    now = _at(dt.date(2026, 11, 2))
    due = concluded(concluded_at=_at(dt.date(2026, 9, 24)))  # due 2026-10-29: published now
    not_yet = concluded(concluded_at=_at(dt.date(2026, 10, 30)))  # due later: waits
    held = concluded(conclusion=Verdict.UNQUALIFIED, concluded_at=_at(dt.date(2026, 9, 24)))
    _disposal(held)  # not delivered to the enterprise yet: held past its due date (overdue, shown to staff)
    done = publication_services.samples_publish_due(now=now)
    assert set(done["clocks_set"]) == {due.pk, not_yet.pk, held.pk}
    assert done["published"] == [due.pk]
    due.refresh_from_db(), not_yet.refresh_from_db(), held.refresh_from_db()
    assert due.published_at == now and not_yet.published_at is None and held.published_at is None
    assert held.publish_due == dt.date(2026, 10, 29)
    event = AuditEvent.objects.get(action="sampling.sample_publish")
    assert event.extra["by"] == "beat" and event.actor_id is None
    # the outcome of a disposal closed after publication follows on the next run
    Disposal.objects.filter(sample=held).update(status=DisposalStatus.VERIFYING)
    later = _at(dt.date(2026, 11, 3))
    assert publication_services.samples_publish_due(now=later)["published"] == [held.pk]
    Disposal.objects.filter(sample=held).update(
        status=DisposalStatus.CLOSED,
        closed_on=dt.date(2026, 11, 20),
        outcome="已责令下架并立案查处",
        measures=["下架", "立案"],
    )
    final = _at(dt.date(2026, 11, 21))
    assert publication_services.samples_publish_due(now=final)["published"] == [held.pk]
    assert Disposal.objects.get(sample=held).published_at == final
    html = Client().get(reverse("public_sampling:result", args=[held.number])).content.decode()
    assert "已责令下架并立案查处" in html and "下架、立案" in html
    assert publication_services.samples_publish_due(now=final)["published"] == []  # idempotent


# ---------------------------------------------------------------------------- staff pages
def test_staff_publish_one_result_after_a_preview(city_staff):
    sample = concluded(conclusion=Verdict.UNQUALIFIED)
    client = _signed_in(city_staff)
    url = reverse("sampling:publication_publish", args=[sample.pk])
    preview = client.get(url).content.decode()
    assert "确认公开" in preview and "铅（以Pb计）" in preview and "≤0.2 mg/kg" in preview
    assert client.post(url).status_code == 302  # not confirmed: back to the preview
    sample.refresh_from_db()
    assert sample.published_at is None
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    sample.refresh_from_db()
    assert sample.published_at is not None
    assert AuditEvent.objects.get(action="sampling.sample_publish").extra["by"] == "staff"
    again = client.get(url).content.decode()
    assert "现在不能确认" in again and "已公开" in again


def test_township_staff_see_their_township_and_cannot_publish(staff_a, township_a, township_b):
    mine = concluded(township=township_a)
    theirs = concluded(township=township_b)
    client = _signed_in(staff_a)
    page = client.get(reverse("sampling:publications")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("sampling:publication_publish", args=[mine.pk])).status_code == 403
    assert client.post(reverse("sampling:publications_bulk"), {"ids": [mine.pk]}).status_code == 403
    assert client.get(reverse("sampling:publication_export")).status_code == 403


def test_every_figure_links_to_its_rows(city_staff, reference):
    today = timezone.localdate()
    concluded(publish_due=today + dt.timedelta(days=20))
    concluded(publish_due=today - dt.timedelta(days=3))
    concluded(publish_due=today - dt.timedelta(days=9))
    published = concluded(published=True, conclusion=Verdict.UNQUALIFIED)
    _disposal(published, status=DisposalStatus.CLOSED, closed_on=today, outcome="已下架")
    client = _signed_in(city_staff)
    page = client.get(reverse("sampling:publications")).content.decode()
    expected = {"pending": 1, "overdue": 2, "published": 1, "outcome_pending": 1}
    for key, count in expected.items():
        figure = re.search(
            rf'href="\?status={key}"[^>]*data-testid="count-{key}"><span class="figure-value">(\d+)<', page
        )
        assert int(figure.group(1)) == count, key
        listed = client.get(reverse("sampling:publications"), {"status": key}).content.decode()
        assert f"共 <strong>{count}</strong> 条" in listed, key


def test_bulk_publish_previews_what_will_and_will_not_be_published(city_staff, township_a):
    ready = [concluded(township=township_a) for _ in range(2)]
    held = concluded(township=township_a, conclusion=Verdict.UNQUALIFIED)
    _disposal(held)
    client = _signed_in(city_staff)
    ids = [s.pk for s in [*ready, held]]
    preview = client.post(reverse("sampling:publications_bulk"), {"ids": ids})
    html = preview.content.decode()
    assert preview.status_code == 200 and "将公开 <strong>2</strong> 条" in html and "尚未送达" in html
    assert not Sample.objects.filter(published_at__isnull=False).exists()
    hidden = re.search(r'name="ids" value="([\d,]+)"', html).group(1)
    done = client.post(reverse("sampling:publications_bulk"), {"ids": hidden, "confirm": "yes"})
    assert done.status_code == 302
    assert set(Sample.objects.filter(published_at__isnull=False).values_list("pk", flat=True)) == {s.pk for s in ready}
    assert AuditEvent.objects.filter(action="sampling.sample_publish").count() == 2
    assert client.post(reverse("sampling:publications_bulk"), {"ids": ""}).status_code == 302
    assert client.get(reverse("sampling:publications_bulk")).status_code == 405


def test_bad_filters_show_beside_the_form_and_empty_ones_filter_nothing(city_staff):
    concluded()
    client = _signed_in(city_staff)
    untouched = client.get(
        reverse("sampling:publications"),
        {"q": "", "status": "", "township": "", "conclusion": "", "purpose": ""},
    ).content.decode()
    assert "共 <strong>1</strong> 条" in untouched
    bad = client.get(reverse("sampling:publications"), {"status": "nonsense"}).content.decode()
    assert "筛选条件有误" in bad and "公开状态" in bad and "共 <strong>0</strong> 条" in bad


def test_the_publication_list_runs_a_constant_number_of_queries(city_staff, township_a):
    client = _signed_in(city_staff)

    def add(n):
        for i in range(n):
            sample = concluded(township=township_a, conclusion=Verdict.UNQUALIFIED if i % 2 else Verdict.QUALIFIED)
            if i % 2:
                _disposal(sample, status=DisposalStatus.CLOSED, closed_on=dt.date(2026, 7, 1))

    assert_constant_queries(lambda: client.get(reverse("sampling:publications")), add)
