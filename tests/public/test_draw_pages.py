"""Public draw pages (no login): the verification page, the JSON record, the list (moved from tests/inspections)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from apps.inspections.draws import algorithm as hrs
from apps.inspections.draws import signing
from apps.inspections.draws.selectors import draw_record
from apps.inspections.draws.services import plan_cancel, plan_commit
from apps.inspections.draws.signing import public_key_b64
from apps.inspections.models import Draw, DrawSeal
from tests.inspections.draw_helpers import draw_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    return draw_now(actor=city_staff, plan_id=plan.pk)


def test_public_page_needs_no_login_and_shows_everything(drawn, world):
    client = Client()
    response = client.get(reverse("public_draws:detail", args=[drawn.draw_uid]))
    assert response.status_code == 200
    html = response.content.decode()
    draw = Draw.objects.get(pk=drawn.pk)
    assert "VERIFIED · 校验通过" in html
    record = draw_record(draw)
    assert draw.algorithm == "hrs-v2"
    shown = (draw.seed_commitment, draw.seed_hex, draw.strata[0]["pool_hash"], record["derived_seed"], draw.plan.name)
    for value in (*shown, record["signature"]["key_id"], public_key_b64(), *record["public_value"]["values"]):
        assert value in html
    for sel in draw.selections.select_related("enterprise").prefetch_related("assignments__inspector"):
        assert sel.enterprise.name in html and sel.code in html
        for a in sel.assignments.all():
            # issue 8 §9: the assignment is published by badge number; the inspector's name is not (docs/draw.md)
            assert a.badge in html and a.inspector.name not in html


def test_public_page_before_the_draw_shows_commitment_but_no_seed(world, city_staff):
    plan = world.plan(city_staff)
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    html = Client().get(reverse("public_draws:detail", args=[draw.draw_uid])).content.decode()
    assert draw.seed_commitment in html and draw.strata[0]["pool_hash"] in html
    sealed = DrawSeal.objects.get(draw=draw).sealed
    assert sealed not in html
    assert draw.public_randomness["source"] in html and draw.public_randomness["date"] in html
    assert "VERIFIED · 校验通过" not in html
    record = Client().get(reverse("public_draws:record", args=[draw.draw_uid])).json()
    assert record["seed"] is None and record["result"] is None and record["signature"] is None
    assert sealed not in json.dumps(record)


def test_json_download_is_the_verification_record(drawn):
    response = Client().get(reverse("public_draws:record", args=[drawn.draw_uid]) + "?download=1")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    record = json.loads(response.content)
    assert record["draw_uid"] == drawn.draw_uid and record["algorithm"] == "hrs-v2"
    assert record["seed"] == Draw.objects.get(pk=drawn.pk).seed_hex
    assert len(record["result"]["selections"]) == 10
    # DRW-06 completeness: plan, pool hash, seed, version, selected ids, time
    for key in ("plan", "pool_hashes", "seed", "algorithm", "drawn_at", "result_hash", "inputs", "seed_commitment"):
        assert record[key]
    # hrs-v2: the public value, the derived seed, who committed / entered / drew, when, and the signature
    for key in ("public_randomness", "public_value", "derived_seed", "committed_by", "drawn_by", "signature"):
        assert record[key]
    assert record["public_value"]["entered_by"] and record["public_value"]["entered_at"]
    assert signing.verify(hrs.signing_payload(record), record["signature"])


def test_unknown_draw_is_404_and_public_list_works(drawn):
    client = Client()
    assert client.get(reverse("public_draws:detail", args=["HN0000-00000-9"])).status_code == 404
    listing = client.get(reverse("public_draws:list"))
    assert listing.status_code == 200 and drawn.draw_uid in listing.content.decode()


def test_exclusions_are_published_as_codes_with_reasons(drawn, world):
    html = Client().get(reverse("public_draws:detail", args=[drawn.draw_uid])).content.decode()
    record = Client().get(reverse("public_draws:record", args=[drawn.draw_uid])).json()
    assert record["excluded"]["closed"] == {"label": "停业、注销的对象", "codes": [world.closed.uscc]}
    assert "停业、注销的对象" in html and world.closed.uscc in html


def test_a_cancelled_hrs_v2_draw_publishes_its_signed_seed(world, city_staff):
    plan = world.plan(city_staff)
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    plan_cancel(actor=city_staff, plan_id=plan.pk, reason="计划调整")
    record = Client().get(reverse("public_draws:record", args=[draw.draw_uid])).json()
    assert record["status"] == "cancelled" and record["seed"] == DrawSeal.objects.get(draw=draw).sealed
    assert record["public_value"] is None and record["cancel_reason"] == "计划调整"
    assert signing.verify(hrs.signing_payload(record), record["signature"])
    html = Client().get(reverse("public_draws:detail", args=[draw.draw_uid])).content.decode()
    assert "VERIFIED · 校验通过" in html
