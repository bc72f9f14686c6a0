"""`make run`'s demo shows published results on the portal: seed_demo_publications plays a finished, published
round through the services (audit chain valid, draw verifies) and is idempotent."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.services import demo_accounts_create
from apps.common.audit import audit_verify
from apps.inspections.choices import PublicationStatus, ResultStatus
from apps.inspections.demo import demo_inspectors_seed
from apps.inspections.demo_published import DEMO_COUNT, DEMO_PLAN_NAME, demo_published_seed
from apps.inspections.draws.selectors import draw_differences
from apps.inspections.models import Draw, DrawPlan, InspectionResult, Publication
from tests.inspections.factories import make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(township_a, township_b):
    demo_accounts_create(password="Demo#pass-2026")
    demo_inspectors_seed()
    caterers = [make_enterprise(township_a, business_type="catering") for _ in range(10)]
    make_enterprise(township_b, business_type="catering")
    return caterers


def test_demo_seeding_yields_published_results_on_the_portal(demo):
    assert not Publication.objects.filter(status=PublicationStatus.PUBLISHED).exists()
    out = io.StringIO()
    call_command("seed_demo_publications", stdout=out)
    assert "条结果已公示" in out.getvalue()

    plan = DrawPlan.objects.get(name=DEMO_PLAN_NAME)
    draw = Draw.objects.get(plan=plan)
    assert draw.status == "drawn" and draw_differences(draw) == []
    results = InspectionResult.objects.filter(task__draw=draw, status=ResultStatus.FINAL)
    assert results.count() == DEMO_COUNT
    published = Publication.objects.filter(result__in=results, status=PublicationStatus.PUBLISHED)
    assert published.count() == DEMO_COUNT
    for p in published:  # published by the daily job after the window, in the past — not "early"
        assert p.objection_window_ends < p.published_at.date()
    assert audit_verify().ok

    client = Client()
    listing = client.get(reverse("public_results:list")).content.decode()
    for r in results.select_related("task__enterprise"):
        assert r.task.enterprise.name in listing
    index = client.get(reverse("public:index")).content.decode()
    assert f'portal-card-count">{DEMO_COUNT}<' in index
    one = results.select_related("task__enterprise").first()
    lookup = client.get(reverse("public:lookup"), {"q": one.task.enterprise.name}).content.decode()
    assert reverse("public_results:detail", args=[one.public_id]) in lookup


def test_demo_seeding_is_idempotent(demo):
    first = demo_published_seed()
    assert first["created"] and first["published"] == DEMO_COUNT
    again = demo_published_seed()
    assert again == {"created": False, "published": DEMO_COUNT}
    assert DrawPlan.objects.filter(name=DEMO_PLAN_NAME).count() == 1
    assert Publication.objects.count() == DEMO_COUNT


def test_the_demo_draw_is_hrs_v2_and_verifies_on_the_public_page(demo):
    from apps.inspections.models import Draw

    demo_published_seed()
    draw = Draw.objects.get(plan__name=DEMO_PLAN_NAME)
    assert draw.algorithm == "hrs-v2" and draw.outcome.signature["key_id"]
    assert draw.public_value.values == ["3817", "5092", "7741"]
    html = Client().get(reverse("public_draws:detail", args=[draw.draw_uid])).content.decode()
    assert "VERIFIED · 校验通过" in html and "市民代表 王某" in html
