"""Appeals change the score only when upheld; closing a round freezes it and 复核 reproduces it after the underlying
data changed; manual values need evidence."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assessment.models import AppealStatus, ScoreItem, StarRating, TownshipScore
from apps.assessment.schemes import services
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed

from .helpers import computed_round, indicator, item, run_compute, score, submit_coordinators

pytestmark = pytest.mark.django_db


def _appeal(staff, rnd, township, code="coverage_debt"):
    return services.appeal_file(
        actor=staff,
        round_id=rnd.pk,
        township_id=township.pk,
        indicator_id=indicator(rnd, code).pk,
        reason="欠账名单中 26 家已注销，应剔除",
    )


def test_upheld_appeal_with_corrected_value_changes_item_and_total(fake_measures, city_staff, staff_b, township_b):
    rnd = computed_round(city_staff)
    assert score(rnd, township_b).total == D("10.00")
    appeal = _appeal(staff_b, rnd, township_b)
    services.appeal_decide(
        actor=city_staff, appeal_id=appeal.pk, decision=AppealStatus.UPHELD, reason="核实属实", corrected_value="4"
    )
    it = item(rnd, township_b, "coverage_debt")
    # corrected 4 ≤ 5 → 80% × weight 5 = 4.00; total 10.00 + 4.00
    assert (it.computed_value, it.value, it.computed_points, it.points, it.weighted) == (
        D(30),
        D(4),
        D(0),
        D(80),
        D("4.00"),
    )
    assert it.appeal_id == appeal.pk
    assert score(rnd, township_b).total == D("14.00")


def test_upheld_appeal_with_granted_points(fake_measures, city_staff, staff_b, township_b):
    rnd = computed_round(city_staff)
    appeal = _appeal(staff_b, rnd, township_b)
    services.appeal_decide(
        actor=city_staff, appeal_id=appeal.pk, decision="upheld", reason="酌情给分", granted_points="50"
    )
    assert item(rnd, township_b, "coverage_debt").weighted == D("2.50")
    assert score(rnd, township_b).total == D("12.50")


def test_rejected_appeal_changes_nothing(fake_measures, city_staff, staff_b, township_b):
    rnd = computed_round(city_staff)
    before = list(ScoreItem.objects.filter(score__round=rnd).values_list("pk", "value", "points", "weighted"))
    appeal = _appeal(staff_b, rnd, township_b)
    services.appeal_decide(
        actor=city_staff, appeal_id=appeal.pk, decision="rejected", reason="注销在年度之后", corrected_value="4"
    )
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.corrected_value is None
    after = list(ScoreItem.objects.filter(score__round=rnd).values_list("pk", "value", "points", "weighted"))
    assert after == before
    assert score(rnd, township_b).total == D("10.00")


def test_upheld_appeal_survives_a_recomputation(fake_measures, city_staff, staff_b, township_b):
    rnd = computed_round(city_staff)
    appeal = _appeal(staff_b, rnd, township_b)
    services.appeal_decide(actor=city_staff, appeal_id=appeal.pk, decision="upheld", reason="属实", corrected_value="0")
    run_compute(city_staff, rnd)
    assert score(rnd, township_b).total == D("15.00")


def test_decision_needs_a_reason_and_one_correction(fake_measures, city_staff, staff_b, township_b):
    rnd = computed_round(city_staff)
    appeal = _appeal(staff_b, rnd, township_b)
    with pytest.raises(ValidationFailed, match="裁决理由"):
        services.appeal_decide(actor=city_staff, appeal_id=appeal.pk, decision="upheld", reason=" ", corrected_value=1)
    with pytest.raises(ValidationFailed, match="二者填一项"):
        services.appeal_decide(actor=city_staff, appeal_id=appeal.pk, decision="upheld", reason="属实")
    with pytest.raises(Conflict):
        _appeal(staff_b, rnd, township_b)  # one pending appeal per item


def test_appeal_scope(fake_measures, city_staff, staff_a, staff_b, leader, township_a, township_b):
    rnd = computed_round(city_staff)
    with pytest.raises(OutOfScope):
        _appeal(staff_a, rnd, township_b)  # only its own township
    with pytest.raises(PermissionDenied):
        _appeal(leader, rnd, township_b)  # leadership reads only
    appeal = _appeal(staff_b, rnd, township_b)
    for actor in (staff_b, leader):
        with pytest.raises(PermissionDenied):
            services.appeal_decide(actor=actor, appeal_id=appeal.pk, decision="rejected", reason="x")


def test_close_writes_star_ratings_and_freezes(fake_measures, city_staff, staff_b, township_a, township_b):
    rnd = computed_round(city_staff)
    appeal = _appeal(staff_b, rnd, township_b)
    with pytest.raises(Conflict, match="待裁决"):
        services.round_close(actor=city_staff, round_id=rnd.pk)
    services.appeal_decide(actor=city_staff, appeal_id=appeal.pk, decision="rejected", reason="不属实")
    services.round_close(actor=city_staff, round_id=rnd.pk)
    rnd.refresh_from_db()
    assert rnd.is_closed
    stars = {s.township_id: (s.year, s.stars, s.total, s.rank) for s in StarRating.objects.filter(round=rnd)}
    assert stars == {township_a.pk: (rnd.year, 1, D("19.00"), 1), township_b.pk: (rnd.year, 1, D("10.00"), 2)}
    with pytest.raises(InvalidTransition):
        services.round_compute_start(actor=city_staff, round_id=rnd.pk)
    with pytest.raises(InvalidTransition):
        _appeal(staff_b, rnd, township_b)


def test_verify_reproduces_a_closed_round_after_the_data_changed(fake_measures, fake_data, city_staff, township_a):
    rnd = computed_round(city_staff)
    services.round_close(actor=city_staff, round_id=rnd.pk)
    fake_data["sampling.food_batches_per_1000"]["xiashi"] = (1, 10000)  # the live data moved on
    fake_data["risk.coverage_debt"]["xiashi"] = (99, None)
    assert services.round_verify(actor=city_staff, round_id=rnd.pk) == []
    rnd.refresh_from_db()
    assert rnd.verified_identical is True
    assert score(rnd, township_a).total == D("19.00")  # no manual value: 10 + 4 + 5
    # the check can fail: a stored item that no longer matches its inputs is reported
    ScoreItem.objects.filter(score__round=rnd, score__township=township_a, indicator__code="food_sampling").update(
        weighted=D("9.00")
    )
    diffs = services.round_verify(actor=city_staff, round_id=rnd.pk)
    assert diffs and "food_sampling" in diffs[0]
    rnd.refresh_from_db()
    assert rnd.verified_identical is False


def test_verify_command(fake_measures, city_staff, capsys):
    from django.core.management import call_command

    rnd = computed_round(city_staff)
    services.round_close(actor=city_staff, round_id=rnd.pk)
    call_command("assessment_verify", str(rnd.year))
    assert "一致：是" in capsys.readouterr().out


def test_manual_value_needs_evidence_and_own_township(fake_measures, city_staff, staff_a, township_a, township_b):
    rnd = computed_round(city_staff)
    ind = indicator(rnd, "coordinators")
    bad = SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        services.manual_value_submit(
            actor=staff_a,
            round_id=rnd.pk,
            data={"township": township_a.pk, "indicator": ind.pk, "value": "3"},
            evidence=bad,
        )
    assert "evidence" in exc.value.fields
    with pytest.raises(ValidationFailed, match="证据"):
        services.manual_value_submit(
            actor=staff_a,
            round_id=rnd.pk,
            data={"township": township_a.pk, "indicator": ind.pk, "value": "3"},
            evidence=None,
        )
    with pytest.raises(OutOfScope):
        submit_coordinators(staff_a, rnd, township_b)
    with pytest.raises(PermissionDenied):
        submit_coordinators(city_staff, rnd, township_a)
    with pytest.raises(ValidationFailed, match="需要填报"):
        services.manual_value_submit(
            actor=staff_a,
            round_id=rnd.pk,
            data={"township": township_a.pk, "indicator": indicator(rnd, "food_sampling").pk, "value": "3"},
            evidence=None,
        )
    mv = submit_coordinators(staff_a, rnd, township_a, "1")
    submit_coordinators(staff_a, rnd, township_a, "2")  # replaces
    assert not type(mv).objects.filter(pk=mv.pk).exists()
    run_compute(city_staff, rnd)
    assert item(rnd, township_a, "coordinators").weighted == D("4.00")
    assert TownshipScore.objects.get(round=rnd, township=township_a).total == D("23.00")  # 19.00 + 4.00
