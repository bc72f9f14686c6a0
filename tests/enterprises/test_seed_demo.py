"""manage.py seed_demo: valid identifiers, realistic mix, deterministic and re-runnable, one audit event per run."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from apps.common.models import AuditEvent
from apps.enterprises.demo import enterprises_seed_demo
from apps.enterprises.identifiers import check_licence, check_uscc
from apps.enterprises.models import Enterprise, Licence

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def seeded(reference):
    return enterprises_seed_demo(count=400, seed=7, as_of=AS_OF)


def test_identifiers_are_valid_and_registered_in_haining(seeded):
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes)) == 400
    for code in codes:
        assert check_uscc(code).ok, code
        assert code[2:8] == "330481"
    prefixes = Counter(code[:2] for code in codes)
    assert prefixes["92"] > prefixes["91"] > 0 and prefixes["12"] > 0
    for kind, number in Licence.objects.values_list("kind", "number"):
        assert not check_licence(kind, number).errors, number
        if kind in ("SC", "JY", "YB"):
            assert check_licence(kind, number).ok, number
            area_at = 5 if kind == "SC" else 3  # SC + 3-digit food category; JY/YB + 1-digit type
            assert number[area_at : area_at + 6] == "330481", number


def test_business_type_mix_and_licence_kinds(seeded):
    by_type = Counter(Enterprise.objects.values_list("business_type__code", flat=True))
    assert by_type["rural_banquet_center"] == 20  # one every 20 rows (up to 150)
    assert by_type["catering"] + by_type["small_restaurant"] + by_type["food_sales"] > 240
    assert by_type["food_production"] < 40
    assert all(
        kind == {"food_production": "SC", "health_food": "SC", "food_stall": "DK"}.get(code, kind)
        for code, kind in Licence.objects.values_list("enterprise__business_type__code", "kind")
    )
    banquet_townships = set(
        Enterprise.objects.filter(business_type__code="rural_banquet_center").values_list("township__kind", flat=True)
    )
    assert banquet_townships == {"town"}
    school = Enterprise.objects.filter(business_type__code="school_canteen")
    assert school.exists() and not school.filter(sunshine_kitchen=False).exists()
    assert all(code.startswith("12") for code in school.values_list("uscc", flat=True))


def test_distribution_follows_population(seeded):
    per_township = Counter(Enterprise.objects.values_list("township__code", flat=True))
    assert len(per_township) == 12
    assert per_township["haizhou"] > per_township["huangwan"]


def test_rerun_adds_nothing_and_rows_do_not_depend_on_n(seeded):
    again = enterprises_seed_demo(count=400, seed=7, as_of=AS_OF)
    assert (again.created, again.skipped) == (0, 400)
    first = set(Enterprise.objects.values_list("uscc", "name"))
    more = enterprises_seed_demo(count=450, seed=7, as_of=AS_OF)
    assert (more.created, more.skipped) == (50, 400)
    assert first <= set(Enterprise.objects.values_list("uscc", "name"))
    assert AuditEvent.objects.filter(action="enterprise.seed_demo").count() == 3


def test_same_seed_same_registry(reference):
    enterprises_seed_demo(count=60, seed=11, as_of=AS_OF)
    snapshot = sorted(Enterprise.objects.values_list("uscc", "name", "township__code", "business_address"))
    Licence.objects.all().delete()
    Enterprise.objects.all().delete()
    enterprises_seed_demo(count=60, seed=11, as_of=AS_OF)
    assert sorted(Enterprise.objects.values_list("uscc", "name", "township__code", "business_address")) == snapshot


def test_command(reference, capsys):
    call_command("seed_demo", "--enterprises", "30", "--seed", "3", "--as-of", "2025-01-01")
    assert "新增 30 条" in capsys.readouterr().out
    assert Enterprise.objects.count() == 30
