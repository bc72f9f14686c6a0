"""suggest_level at, just below and just above each threshold of the default criteria (DOMAIN.md §6), and the
criteria in force by their effective date."""

import datetime as dt

import pytest

from apps.incidents.emergencies.rules import criteria_in_force, suggest_level
from apps.incidents.models.emergencies import IncidentGradingCriteria

C = IncidentGradingCriteria(effective_from=dt.date(2011, 1, 1))  # the model defaults = the data migration's row


def level(**kw):
    kw.setdefault("affected", 0)
    kw.setdefault("dead", 0)
    return suggest_level(C, **kw).level


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        # Ⅳ: 30 affected
        ({"affected": 29}, ""),
        ({"affected": 30}, "IV"),
        ({"affected": 31}, "IV"),
        # Ⅳ: 2 townships
        ({"affected": 5, "townships": 1}, ""),
        ({"affected": 5, "townships": 2}, "IV"),
        ({"affected": 5, "townships": 3}, "IV"),
        # Ⅲ: 100 affected
        ({"affected": 99}, "IV"),
        ({"affected": 100}, "III"),
        ({"affected": 101}, "III"),
        # Ⅲ: any death
        ({"affected": 5, "dead": 0}, ""),
        ({"affected": 5, "dead": 1}, "III"),
        ({"affected": 5, "dead": 2}, "III"),
        # Ⅱ: 10 deaths
        ({"affected": 20, "dead": 9}, "III"),
        ({"affected": 20, "dead": 10}, "II"),
        ({"affected": 20, "dead": 11}, "II"),
        # Ⅱ: ≥100 affected with deaths
        ({"affected": 99, "dead": 1}, "III"),
        ({"affected": 100, "dead": 1}, "II"),
        ({"affected": 101, "dead": 1}, "II"),
        ({"affected": 150, "dead": 0}, "III"),
        # Ⅱ: school with ≥50 affected
        ({"affected": 49, "schools": True}, "IV"),
        ({"affected": 50, "schools": True}, "II"),
        ({"affected": 51, "schools": True}, "II"),
        ({"affected": 50, "schools": False}, "IV"),
        # Ⅱ: major event with ≥50 affected
        ({"affected": 49, "major_event": True}, "IV"),
        ({"affected": 50, "major_event": True}, "II"),
        ({"affected": 51, "major_event": True}, "II"),
    ],
)
def test_suggested_level_at_and_around_each_threshold(kw, expected):
    assert level(**kw) == expected


def test_the_suggestion_says_why():
    s = suggest_level(C, affected=120, dead=0)
    assert s.level == "III" and s.label == "Ⅲ级（较大）"
    assert s.reasons == ("涉及 120 人（≥100）",)
    assert suggest_level(C, affected=0, dead=0).label == "未达到分级标准"


def test_level_one_is_never_suggested():
    assert level(affected=100000, dead=5000, schools=True, townships=50, major_event=True) == "II"


@pytest.mark.django_db
def test_the_criteria_in_force_follow_the_effective_date():
    default = criteria_in_force(dt.date(2026, 1, 1))
    assert default.iv_affected == 30 and default.defaults_unconfirmed  # the data migration's row
    IncidentGradingCriteria.objects.create(
        effective_from=dt.date(2026, 7, 1), iv_affected=20, defaults_unconfirmed=False
    )
    assert criteria_in_force(dt.date(2026, 6, 30)).iv_affected == 30
    assert criteria_in_force(dt.date(2026, 7, 1)).iv_affected == 20
    assert suggest_level(criteria_in_force(dt.date(2026, 7, 1)), affected=20, dead=0).level == "IV"
