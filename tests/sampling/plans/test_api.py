"""/api/v1/sampling/plans/ and /api/v1/sampling/plan-lines/ (issue 10 point 10, plans part): the scoped-endpoint
contract, issued plans only, strict filters, and the plans list's fixed query count. The lines' change feed runs
the common battery (tests/common/test_feeds_contract.py)."""

import pytest

from apps.sampling.choices import PlanStatus
from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import TownshipScopedEndpointContract

pytestmark = pytest.mark.django_db
LINES = "/api/v1/sampling/plan-lines/"
PLANS = "/api/v1/sampling/plans/"


def _issued_line(township, status=PlanStatus.APPROVED):
    from apps.sampling.models import SamplingPlan

    plan = SamplingPlanFactory(name=f"接口测试计划{SamplingPlan.objects.count() + 1}", status=status)
    return PlanLineFactory(plan=plan, township=township)


class TestPlanLineAPI(TownshipScopedEndpointContract):
    list_url = LINES
    client_scope = "sampling:read"

    def make(self, township):
        return _issued_line(township)


@pytest.fixture
def city(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    return api_client


def test_draft_lines_and_plans_are_not_published(city, township_a):
    draft_line = _issued_line(township_a, status=PlanStatus.DRAFT)
    issued_line = _issued_line(township_a)
    closed_line = _issued_line(township_a, status=PlanStatus.CLOSED)
    ids = [r["id"] for r in city.get(LINES).json()["results"]]
    assert issued_line.pk in ids and closed_line.pk in ids and draft_line.pk not in ids
    assert city.get(f"{LINES}{draft_line.pk}/").status_code == 404
    plan_ids = [r["id"] for r in city.get(PLANS).json()["results"]]
    assert issued_line.plan_id in plan_ids and draft_line.plan_id not in plan_ids
    assert city.get(f"{PLANS}{draft_line.plan_id}/").status_code == 404


def test_line_fields(city, township_a):
    line = _issued_line(township_a)
    row = city.get(f"{LINES}{line.pk}/").json()
    assert row["township_code"] == "xiashi" and row["plan_status"] == "approved" and row["month"] == 3
    assert row["source"] == "routine" and row["source_label"] == "自评抽检" and row["batches"] == 5
    assert row["enterprise"] is None and row["business_type"] is None and row["reasons"] == []


@pytest.mark.parametrize(
    "params,field",
    [
        ({"month": "13"}, "month"),
        ({"year": "abc"}, "year"),
        ({"source": "lottery"}, "source"),
        ({"colour": "red"}, "colour"),
        ({"month": ["1", "2"]}, "month"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(city, township_a, params, field):
    response = city.get(LINES, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"] and any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(body["fields"][field]))


def test_filters(city, township_a, township_b):
    a, b = _issued_line(township_a), _issued_line(township_b)
    ids = [
        r["id"]
        for r in city.get(LINES, {"township": township_a.pk, "month": 3, "purpose": "supervisory"}).json()["results"]
    ]
    assert ids == [a.pk]
    assert [r["id"] for r in city.get(LINES, {"category": b.category_id}).json()["results"]] == [b.pk]


def test_writes_are_not_offered(city, township_a):
    line = _issued_line(township_a)
    assert city.post(LINES, {}, format="json").status_code == 405
    assert city.patch(f"{LINES}{line.pk}/", {"batches": 9}, format="json").status_code == 405
    assert city.delete(f"{PLANS}{line.plan_id}/").status_code == 405


def test_plans_for_every_reader_and_scope(api_client, staff_a, user_without_perms, township_a):
    from apps.accounts.services import api_client_create

    line = _issued_line(township_a)
    assert api_client.get(PLANS).status_code in (401, 403)
    api_client.force_authenticate(user_without_perms)
    assert api_client.get(PLANS).status_code == 403
    api_client.force_authenticate(staff_a)  # plans are city-wide: township staff see them
    assert [r["id"] for r in api_client.get(PLANS).json()["results"]] == [line.plan_id]
    from rest_framework.test import APIClient

    _, token = api_client_create(name="plans-reader", scopes=["jobs:read"], township_codes=["xiashi"])
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(PLANS).status_code == 403
    _, token = api_client_create(name="plans-reader-2", scopes=["sampling:read"], township_codes=["xiashi"])
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(PLANS).status_code == 200


def test_plans_list_query_count_is_constant(city, township_a):
    assert_constant_queries(lambda: city.get(PLANS), lambda n: [_issued_line(township_a) for _ in range(n)])


def test_plan_filters(city, township_a):
    line = _issued_line(township_a)
    assert city.get(PLANS, {"year": 2026, "purpose": "supervisory"}).json()["count"] == 1
    assert city.get(PLANS, {"year": 2025}).json()["count"] == 0
    assert city.get(PLANS, {"status": "nope"}).status_code == 400
    assert city.get(f"{PLANS}{line.plan_id}/").json()["purpose_label"] == "监督抽检"
