"""results_submit: one path for page, Excel and API — judging wired through apps.standards.judging, all or nothing,
the lab's own samples only, final once reported; and the receipt."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import EntryChannel, SampleStatus, SamplingPurpose, Verdict
from apps.sampling.lab.services._common import NotYourLab
from apps.sampling.lab.services.results import ResultsInvalid, results_check, results_submit, sample_receive
from apps.sampling.models import Disposal, ResultItem, Sample

from .helpers import lead, make_lab, make_lab_user, make_sample

pytestmark = pytest.mark.django_db


def submit(user, sample, items, **kw):
    return results_submit(user, sample, items, channel=kw.pop("channel", EntryChannel.PAGE), **kw)


def _reload(sample):
    return Sample.objects.get(pk=sample.pk)


# ---------------------------------------------------------------------------- judging through the service
@pytest.mark.parametrize(
    ("item", "value", "verdict"),
    [
        (lead("0.3"), None, Verdict.QUALIFIED),  # ≤ limit: at the limit (0.3 under GB 2762-2022)
        (lead("0.31"), None, Verdict.UNQUALIFIED),
        (lead("未检出"), None, Verdict.QUALIFIED),
        (lead("<0.5"), None, Verdict.PROBLEM),  # "<x" above the limit: cannot tell
        ({"test_item": "protein", "value_text": "2.9", "unit": "g/100g"}, None, Verdict.QUALIFIED),  # ≥ limit
        ({"test_item": "protein", "value_text": "2.89", "unit": "g/100g"}, None, Verdict.UNQUALIFIED),
        ({"test_item": "moisture", "value_text": "14", "unit": "g/100g"}, None, Verdict.QUALIFIED),  # range
        ({"test_item": "moisture", "value_text": "14.01", "unit": "g/100g"}, None, Verdict.UNQUALIFIED),
        ({"test_item": "moisture", "value_text": "9.99", "unit": "g/100g"}, None, Verdict.UNQUALIFIED),
        ({"test_item": "clenbuterol", "value_text": "未检出", "unit": "μg/kg"}, None, Verdict.QUALIFIED),  # 不得检出
        ({"test_item": "clenbuterol", "value_text": "<0.5", "unit": "μg/kg"}, None, Verdict.QUALIFIED),
        ({"test_item": "clenbuterol", "value_text": "0.8", "unit": "μg/kg"}, None, Verdict.UNQUALIFIED),
        ({"test_item": "tpc", "micro_values": ["1000", "20000", "150000", "200000", "90000"]}, None, Verdict.QUALIFIED),
        ({"test_item": "tpc", "micro_values": ["150000", "150000", "150000", "10", "10"]}, None, Verdict.UNQUALIFIED),
        ({"test_item": "tpc", "micro_values": ["10", "10", "10", "10", "1000001"]}, None, Verdict.UNQUALIFIED),
    ],
)
def test_each_judgement_type_is_judged_through_the_service(lab_user, sample, item, value, verdict):
    submit(lab_user, sample, [item])
    row = ResultItem.objects.get(sample=sample)
    assert row.verdict == verdict
    assert _reload(sample).conclusion == verdict
    assert row.limit.test_item_id == row.test_item_id


def test_stored_row_carries_the_limit_and_the_basis_texts(lab_user, sample, catalogue):
    submit(lab_user, sample, [lead("0.12", explanation="复测一致")], report_no="JY-2026-001")
    row = ResultItem.objects.get(sample=sample)
    assert row.judging_basis == "GB 2762-2022《食品安全国家标准 食品中污染物限量》"
    assert row.method_basis == "GB 5009.12-2023《食品安全国家标准 食品中铅的测定》"
    assert (row.max_limit_text, row.limit_unit, row.detection_limit_text) == ("0.3", "mg/kg", "0.005 mg/kg")
    assert row.value == Decimal("0.12") and row.value_text == "0.12" and row.unit == "mg/kg"
    assert row.explanation == "0.12 ≤ 0.3 mg/kg；复测一致"
    assert row.lab_id == sample.lab_id and row.entered_by == lab_user and not row.is_recheck
    done = _reload(sample)
    assert (done.status, done.report_no, done.conclusion) == (SampleStatus.REPORTED, "JY-2026-001", Verdict.QUALIFIED)
    assert done.concluded_at is not None and done.received_on == dt.date.today()  # received in the same transaction
    assert AuditEvent.objects.filter(action="sampling.lab.results_submit", object_id=str(sample.pk)).count() == 1


def test_micro_limit_text_and_values_are_kept(lab_user, sample):
    submit(lab_user, sample, [{"test_item": "tpc", "micro_values": ["10", "20", "30", "40", "50"]}])
    row = ResultItem.objects.get(sample=sample)
    assert row.micro_values == ["10", "20", "30", "40", "50"]
    assert row.max_limit_text == "n=5,c=2,m=100000,M=1000000" and row.unit == "CFU/g"


def test_the_limit_version_is_chosen_by_the_production_date(lab_user, catalogue, township_a, lab):
    before = make_sample(catalogue.sub, township_a, lab=lab, production_date=dt.date(2026, 9, 1))
    after = make_sample(catalogue.sub, township_a, lab=lab, production_date=dt.date(2026, 9, 2))
    submit(lab_user, before, [lead("0.25")])
    submit(lab_user, after, [lead("0.25")])
    assert _reload(before).conclusion == Verdict.QUALIFIED  # GB 2762-2022: ≤ 0.3
    assert _reload(after).conclusion == Verdict.UNQUALIFIED  # GB 2762-2025 in force on 2026-09-02: ≤ 0.2
    assert ResultItem.objects.get(sample=after).judging_basis.startswith("GB 2762-2025")


def test_conclusion_is_unqualified_over_problem_over_qualified(lab_user, catalogue, township_a, lab):
    one = make_sample(catalogue.sub, township_a, lab=lab)
    two = make_sample(catalogue.sub, township_a, lab=lab)
    submit(lab_user, one, [lead("<0.5"), {"test_item": "protein", "value_text": "3", "unit": "g/100g"}])
    submit(lab_user, two, [lead("<0.5"), {"test_item": "protein", "value_text": "2", "unit": "g/100g"}])
    assert _reload(one).conclusion == Verdict.PROBLEM
    assert _reload(two).conclusion == Verdict.UNQUALIFIED


# ---------------------------------------------------------------------------- refusals (nothing written)
def _nothing_written(sample):
    fresh = _reload(sample)
    assert not ResultItem.objects.filter(sample=sample).exists()
    assert (fresh.status, fresh.conclusion, fresh.report_no) == (SampleStatus.SAMPLED, "", "")
    assert not Disposal.objects.filter(sample=sample).exists()


def test_all_or_nothing_one_bad_item_writes_nothing(lab_user, sample):
    with pytest.raises(ResultsInvalid) as caught:
        submit(lab_user, sample, [lead("0.9"), {"test_item": "protein", "value_text": "很多", "unit": "g/100g"}])
    assert caught.value.fields == {
        "items[1].value_text": ["蛋白质：检验结果“很多”不是数值，也不是“未检出”“检出”或“<检出限”"]
    }
    _nothing_written(sample)


def test_a_lab_submitting_for_a_sample_not_sent_to_it_is_refused_and_writes_nothing(sample):
    other = make_lab_user("lab_other", make_lab("其他检验机构"))
    with pytest.raises(OutOfScope):  # another lab does not even see the sample: 404
        submit(other, sample, [lead()])
    other.user_permissions.add(Permission.objects.get(codename="view_all_townships"))
    other = type(other).objects.get(pk=other.pk)  # a lab account that sees every sample (city-wide API client) …
    with pytest.raises(NotYourLab) as caught:  # … is still not the sample's lab: 403
        submit(other, sample, [lead()])
    assert caught.value.status_code == 403 and "海宁市食品药品检验所" in caught.value.message
    _nothing_written(sample)


def test_without_the_permission_is_refused(staff_a, sample):
    with pytest.raises(PermissionDenied):
        submit(staff_a, sample, [lead()])
    _nothing_written(sample)


def test_an_item_that_does_not_apply_to_the_category_is_400_naming_it(lab_user, sample):
    with pytest.raises(ResultsInvalid) as caught:
        submit(lab_user, sample, [lead(), {"test_item": "caffeine", "value_text": "1", "unit": "mg/kg"}])
    assert caught.value.status_code == 400
    assert caught.value.fields == {
        "items[1].test_item": ["检验项目“caffeine”不适用于该样品的食品分类“叶菜类蔬菜”（或不存在）"]
    }
    _nothing_written(sample)


def test_an_item_without_a_limit_in_force_on_the_production_date_is_400(lab_user, sample):
    with pytest.raises(ResultsInvalid) as caught:
        submit(lab_user, sample, [{"test_item": "newtoxin", "value_text": "0.1"}])
    assert "新污染物" in caught.value.message and "2026-03-01" in caught.value.message
    assert list(caught.value.fields) == ["items[0].test_item"]
    _nothing_written(sample)


def test_a_unit_that_differs_from_the_limit_is_400_naming_the_unit(lab_user, sample):
    with pytest.raises(ResultsInvalid) as caught:
        submit(lab_user, sample, [lead("0.1", unit="g/kg")])
    assert caught.value.fields == {"items[0].unit": ["铅：结果单位“g/kg”与允许限单位“mg/kg”不一致"]}
    _nothing_written(sample)


def test_a_future_production_date_is_400(lab_user, catalogue, township_a, lab):
    future = make_sample(catalogue.sub, township_a, lab=lab, production_date=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as caught:
        submit(lab_user, future, [lead()])
    assert caught.value.status_code == 400 and "production_date" in caught.value.fields
    assert "晚于今天" in caught.value.message
    _nothing_written(future)


def test_wrong_number_of_micro_results_and_duplicates_and_empty(lab_user, sample):
    with pytest.raises(ResultsInvalid) as caught:
        submit(lab_user, sample, [{"test_item": "tpc", "micro_values": ["1", "2"]}, lead(), lead()])
    assert caught.value.fields == {
        "items[0].micro_values": ["菌落总数：须录入 n=5 个样品的结果，实际 2 个"],
        "items[2].test_item": ["检验项目“铅”重复提交"],
    }
    with pytest.raises(ResultsInvalid):
        submit(lab_user, sample, [])
    _nothing_written(sample)


def test_results_are_final_once_reported(lab_user, sample):
    submit(lab_user, sample, [lead("0.1")])
    with pytest.raises(Conflict) as caught:
        submit(lab_user, sample, [lead("0.5")])
    assert caught.value.status_code == 409 and caught.value.code == "results_final"
    assert "不能覆盖" in caught.value.message
    assert ResultItem.objects.filter(sample=sample).count() == 1
    with pytest.raises(Conflict):  # no 复检 is running: a recheck round is refused too
        submit(lab_user, sample, [lead("0.5")], is_recheck=True)


def test_check_writes_nothing_and_returns_the_judgements(lab_user, sample):
    checked = results_check(actor=lab_user, sample=sample, items=[lead("0.5")])
    assert (
        checked.conclusion == Verdict.UNQUALIFIED
        and checked.items[0].explanation == "0.5 mg/kg 超过最大允许限 0.3 mg/kg"
    )
    _nothing_written(sample)


def test_monitoring_failure_records_a_risk_alert_and_no_disposal(lab_user, catalogue, township_a, lab):
    monitoring = make_sample(catalogue.sub, township_a, lab=lab, purpose=SamplingPurpose.MONITORING)
    submit(lab_user, monitoring, [lead("0.9")])
    assert _reload(monitoring).conclusion == Verdict.UNQUALIFIED
    assert not Disposal.objects.filter(sample=monitoring).exists()
    alert = AuditEvent.objects.get(action="sampling.lab.risk_alert", object_id=str(monitoring.pk))
    assert "不作为执法依据" in alert.extra["note"] and alert.extra["items"][0]["code"] == "pb"
    assert _reload(monitoring).publish_due is None  # monitoring results are not published as findings


def test_supervisory_conclusion_sets_the_publication_due_date(lab_user, sample):
    submit(lab_user, sample, [lead("0.1")])
    assert _reload(sample).publish_due is not None


# ---------------------------------------------------------------------------- receipt
def test_receipt_by_the_lab_member_or_city_staff_only(
    lab_user, sample, city_staff, staff_a, catalogue, township_a, lab
):
    with pytest.raises(PermissionDenied):
        sample_receive(actor=staff_a, sample_id=sample.pk, received_on=dt.date(2026, 3, 3))
    other = make_lab_user("lab_b", make_lab("别的检验机构"))
    with pytest.raises(OutOfScope):
        sample_receive(actor=other, sample_id=sample.pk, received_on=dt.date(2026, 3, 3))
    with pytest.raises(ValidationFailed) as caught:
        sample_receive(actor=lab_user, sample_id=sample.pk, received_on=dt.date(2026, 3, 1))
    assert caught.value.fields == {"received_on": ["接收日期不能早于抽样日期（2026-03-02）"]}
    done = sample_receive(actor=lab_user, sample_id=sample.pk, received_on=dt.date(2026, 3, 3))
    assert (done.status, done.received_on) == (SampleStatus.RECEIVED, dt.date(2026, 3, 3))
    with pytest.raises(Conflict):
        sample_receive(actor=lab_user, sample_id=sample.pk, received_on=dt.date(2026, 3, 3))
    second = make_sample(catalogue.sub, township_a, lab=lab)
    assert sample_receive(actor=city_staff, sample_id=second.pk, received_on=dt.date(2026, 3, 4)).status == "received"
    submit(lab_user, done, [lead("0.1")])
    assert _reload(done).received_on == dt.date(2026, 3, 3)  # the receipt date stays
