"""Issue 8 §9: the public draw record publishes what verification needs — no inspector names, certificate expiry or
workload; the township only under the own-township rule; a capacity only where the load cap can bind (docs/draw.md).
The verifier (tools/verify_draw.py, a separate process) still says VERIFIED on such a record."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from apps.inspections.choices import TaskStatus
from apps.inspections.draws import algorithm as hrs
from apps.inspections.draws.services import plan_commit
from apps.inspections.draws.signing import public_key_b64
from tests.inspections.draw_helpers import draw_now
from tests.inspections.factories import make_enterprise, make_task

pytestmark = pytest.mark.django_db

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


def _record(draw_uid):
    response = Client().get(reverse("public_draws:record", args=[draw_uid]))
    assert response.status_code == 200
    return response.json(), response.content.decode()


def _private_values(world):
    """Names anywhere; certificate expiry dates as JSON string values (timestamps of the draw may share the day)."""
    for i in world.inspectors + [world.expired, world.inactive]:
        yield i.name
        yield f'"{i.certificate_valid_until.isoformat()}"'


def test_record_without_rules_publishes_only_badges(world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    record, text = _record(drawn.draw_uid)
    assert record["inputs"]["inspectors"] == [{"badge": b} for b in sorted(i.badge_no for i in world.inspectors)]
    assert record["inputs"]["enterprise_townships"] == {}
    for value in _private_values(world):
        assert value not in text
    page = Client().get(reverse("public_draws:detail", args=[drawn.draw_uid])).content.decode()
    for value in _private_values(world):
        assert value not in page
    assert "VERIFIED · 校验通过" in page


def test_township_and_binding_capacity_only_when_the_rules_need_them(world, city_staff, tmp_path):
    busy = world.inspectors[0]
    for _ in range(3):  # three open tasks: under a cap of 8 this inspector can take 5 more
        make_task(make_enterprise(world.township_b), inspectors=[busy], status=TaskStatus.ASSIGNED)
    plan = world.plan(city_staff, strata=[{"key": "all", "proportion": "0.3"}], load_cap=8, avoid_own_township=True)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    record, text = _record(drawn.draw_uid)
    entries = {i["badge"]: i for i in record["inputs"]["inspectors"]}
    township_of = {i.badge_no: i.township.code for i in world.inspectors}
    assert set(entries) == set(township_of)
    k = sum(record["quotas"].values())
    assert k > 8  # the cap can bind: every inspector gets a capacity
    for badge, entry in entries.items():
        assert set(entry) == {"badge", "township", "capacity"}
        assert entry["township"] == township_of[badge]
        assert entry["capacity"] == (5 if badge == busy.badge_no else 8)
    for value in _private_values(world):
        assert value not in text
    assert '"load"' not in text and "certificate_valid_until" not in text
    path = tmp_path / "record.json"
    path.write_text(text, encoding="utf-8")
    key = ["--public-key", public_key_b64()]  # hrs-v2: the platform key from the portal (and `cryptography`)
    proc = subprocess.run([sys.executable, str(TOOL), *key, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "VERIFIED" in proc.stdout, proc.stdout + proc.stderr


def test_a_cap_that_cannot_bind_publishes_no_capacity(world, city_staff):
    plan = world.plan(city_staff, strata=[{"key": "all", "count": 3}], load_cap=50)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    record, _text = _record(drawn.draw_uid)
    assert all(set(i) == {"badge"} for i in record["inputs"]["inspectors"])
    assert record["inputs"]["rules"]["load_cap"] == 50


@pytest.mark.parametrize("seed_byte", range(20))
def test_capacity_entries_draw_exactly_like_the_old_load_entries(seed_byte):
    """The same pool written the old way (load, certificate) and the new way (capacity) gives the same result."""
    rng = random.Random(seed_byte)
    cap = rng.randrange(2, 6)
    codes = sorted(f"C{i:04d}" for i in range(rng.randrange(8, 30)))
    k = rng.randrange(3, len(codes))
    old, new = [], []
    for n in range(12):
        load = rng.randrange(0, cap + 1)
        old.append({"badge": f"B{n:03d}", "certificate_valid_until": "2027-01-01", "load": load, "township": ""})
        entry = {"badge": f"B{n:03d}"}
        if cap - load < k:
            entry["capacity"] = max(0, cap - load)
        new.append(entry)
    base = {
        "algorithm": "hrs-v1",
        "draw_uid": "HN2026-00099-1",
        "draw_date": "2026-06-01",
        "strata": [{"key": "all", "codes": codes, "count": k, "proportion": None}],
        "exclusions": {c: [f"B{rng.randrange(12):03d}"] for c in codes if rng.random() < 0.3},
        "enterprise_townships": {},
        "rules": {"inspectors_per_task": 2, "load_cap": cap},
    }
    seed = bytes([seed_byte]) * 32
    expected = hrs.compute_draw({**base, "inspectors": old}, seed)
    assert hrs.compute_draw({**base, "inspectors": new}, seed) == expected
    # and the independent verifier agrees with the new shape
    sys.path.insert(0, str(TOOL.parent))
    try:
        import verify_draw
    finally:
        sys.path.pop(0)
    assert verify_draw.recompute({**base, "inspectors": new}, seed) == json.loads(json.dumps(expected))
