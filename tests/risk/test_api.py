"""API /api/v1/risk/: the scoped-endpoint contract for grades, credit classes and events; history, change feed,
schemes (read-only), coverage debt."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from apps.enterprises.models import Enterprise
from apps.risk import coverage, services
from apps.risk.models import CreditClass, RiskEvent
from tests.factories.enterprises import EnterpriseFactory
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import TownshipScopedEndpointContract

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 3, 1)


def graded_enterprise(township):
    ent = EnterpriseFactory(township=township)
    return services.assessment_recompute(enterprise_id=ent.pk, actor=None, on=ON)


class TestAssessmentAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/risk/assessments/"
    client_scope = "risk:read"

    def make(self, township):
        return graded_enterprise(township)


class TestCreditClassAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/risk/credit-classes/"
    client_scope = "risk:read"

    def make(self, township):
        return CreditClass.objects.create(
            enterprise=EnterpriseFactory(township=township), credit_class="C", source="测试", as_of=ON
        )


class TestRiskEventAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/risk/events/"
    client_scope = "risk:read"

    def make(self, township):
        return RiskEvent.objects.create(
            enterprise=EnterpriseFactory(township=township), event_type="incident", occurred_on=ON, description="x"
        )


def test_assessment_payload_filters_and_numbers(api_client, staff_a, township_a):
    a = graded_enterprise(township_a)
    api_client.force_authenticate(staff_a)
    body = api_client.get("/api/v1/risk/assessments/", {"grade": a.grade, "year": 2025, "current": "true"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["scheme_code"] == "cfda-2016" and row["scheme_version"] == 1
    assert isinstance(row["total_score"], (int, float)) and row["inputs"]["enterprise"]["sector"] == "catering"
    assert api_client.get("/api/v1/risk/assessments/", {"grade": "X"}).status_code == 400
    assert api_client.get("/api/v1/risk/assessments/", {"bogus": 1}).status_code == 400
    assert api_client.get("/api/v1/risk/assessments/", {"grade": "D"}).json()["count"] == 0


def test_history_per_enterprise_is_scoped(api_client, staff_a, staff_b, city_staff, township_a):
    a = graded_enterprise(township_a)
    services.assessment_recompute(enterprise_id=a.enterprise_id, actor=city_staff, on=dt.date(2025, 6, 1))
    api_client.force_authenticate(staff_a)
    body = api_client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/history/").json()
    assert [r["assessed_on"] for r in body["results"]] == ["2025-06-01", "2025-03-01"]
    summary = api_client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/").json()
    assert summary["current"]["assessed_on"] == "2025-06-01" and summary["credit_class"] is None
    api_client.force_authenticate(staff_b)
    assert api_client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/history/").status_code == 404
    assert api_client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/").status_code == 404


def test_history_query_count_is_constant(api_client, staff_a, city_staff, township_a):
    a = graded_enterprise(township_a)
    api_client.force_authenticate(staff_a)
    days = iter(range(2, 28))

    def add(n):
        for _ in range(n):
            services.assessment_recompute(
                enterprise_id=a.enterprise_id, actor=city_staff, on=dt.date(2025, 7, next(days))
            )

    assert_constant_queries(lambda: api_client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/history/"), add)


def test_change_feed_pages_with_cursor_and_sees_currency_changes(api_client, city_staff, township_a):
    rows = [graded_enterprise(township_a) for _ in range(3)]
    api_client.force_authenticate(city_staff)
    first = api_client.get("/api/v1/risk/assessments/", {"updated_since": "2000-01-01", "page_size": 2}).json()
    assert len(first["results"]) == 2 and first["has_more"]
    second = api_client.get("/api/v1/risk/assessments/", {"cursor": first["next_cursor"], "page_size": 2}).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [r.pk for r in rows]
    assert not second["has_more"]
    quiet = api_client.get("/api/v1/risk/assessments/", {"cursor": second["next_cursor"]}).json()
    assert quiet["results"] == []
    # a new grade for the first enterprise: the new row and the superseded one (is_current false) both appear
    new = services.assessment_recompute(enterprise_id=rows[0].enterprise_id, actor=city_staff, on=dt.date(2025, 9, 1))
    changed = api_client.get("/api/v1/risk/assessments/", {"cursor": second["next_cursor"]}).json()
    got = {r["id"]: r["is_current"] for r in changed["results"]}
    assert got == {rows[0].pk: False, new.pk: True}
    assert api_client.get("/api/v1/risk/assessments/", {"cursor": "forged"}).status_code == 400


def test_schemes_are_read_only_and_need_permission(api_client, staff_a, user_without_perms, cfda):
    api_client.force_authenticate(staff_a)
    body = api_client.get("/api/v1/risk/schemes/").json()
    assert {s["code"] for s in body["results"]} == {"cfda-2016", "samr-2022-production"}
    detail = api_client.get(f"/api/v1/risk/schemes/{cfda.pk}/").json()
    assert [b["grade"] for b in detail["bands"]] == ["A", "B", "C", "D"]
    assert len(detail["static_tables"]) == 3 and detail["static_tables"][0]["factors"][0]["options"]
    assert api_client.post("/api/v1/risk/schemes/", {}, format="json").status_code in (403, 405)
    assert api_client.delete(f"/api/v1/risk/schemes/{cfda.pk}/").status_code in (403, 405)
    api_client.force_authenticate(user_without_perms)
    assert api_client.get("/api/v1/risk/schemes/").status_code == 403


def test_coverage_debt_api(api_client, staff_a, city_staff, township_a, township_b):
    a = EnterpriseFactory(township=township_a)
    EnterpriseFactory(township=township_b)  # no grades needed: the Order 49 floor applies to everyone
    api_client.force_authenticate(staff_a)
    today = dt.date.today()
    body = api_client.get("/api/v1/risk/coverage-debt/", {"min_days": 0}).json()
    expected = [r.enterprise_id for r in coverage.coverage_debt(actor=staff_a, today=today)]
    assert [r["enterprise"] for r in body["results"]] == expected
    assert {r["township"] for r in body["results"]} <= {township_a.pk}
    counts = api_client.get("/api/v1/risk/coverage-debt/counts/").json()
    assert [c["township_id"] for c in counts] == [township_a.pk] and counts[0]["enterprises"] == 1
    api_client.force_authenticate(city_staff)
    assert len(api_client.get("/api/v1/risk/coverage-debt/counts/").json()) == 2
    assert api_client.get("/api/v1/risk/coverage-debt/", {"nope": 1}).status_code == 400
    assert a.pk not in [r["enterprise"] for r in api_client.get("/api/v1/risk/coverage-debt/").json()["results"]]
    # a township that does not exist is an empty page, not an error (the township filter is CoverageDebtFilterSet's)
    unknown = api_client.get("/api/v1/risk/coverage-debt/", {"township": 2**63 - 2, "min_days": 0})
    assert unknown.status_code == 200 and unknown.json()["count"] == 0
    only_b = api_client.get("/api/v1/risk/coverage-debt/", {"township": township_b.pk, "min_days": 0}).json()
    assert only_b["count"] == len(only_b["results"]) and {r["township"] for r in only_b["results"]} <= {township_b.pk}


def test_client_with_scope_reads_grades(township_a):
    from apps.accounts.services import api_client_create

    a = graded_enterprise(township_a)
    _, token = api_client_create(name="province", scopes=["risk:read"], township_codes=[township_a.code])
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/risk/assessments/").json()["count"] == 1
    assert client.get(f"/api/v1/risk/enterprises/{a.enterprise_id}/history/").status_code == 200
    assert client.get("/api/v1/risk/schemes/").status_code == 200
    assert client.get("/api/v1/risk/credit-classes/").status_code == 200


@pytest.mark.parametrize("query", ["updated_since=", "cursor="])
def test_feed_with_empty_since_or_cursor_is_a_400_not_a_500(api_client, city_staff, query):
    api_client.force_authenticate(city_staff)
    response = api_client.get(f"/api/v1/risk/assessments/?{query}")
    assert response.status_code == 400 and set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("path", ["/api/v1/risk/events/", "/api/v1/risk/assessments/"])
@pytest.mark.parametrize("year", ["-2.97e16", "99999999999", "1999"])
def test_year_outside_the_domain_is_a_400_not_a_500(api_client, city_staff, path, year):
    api_client.force_authenticate(city_staff)
    response = api_client.get(path, {"year": year})
    assert response.status_code == 400 and "year" in response.json()["fields"]


def test_empty_filter_values_are_no_filter(api_client, city_staff, township_a):
    graded_enterprise(township_a)
    api_client.force_authenticate(city_staff)
    plain = api_client.get("/api/v1/risk/assessments/").json()["count"]
    assert plain >= 1
    assert api_client.get("/api/v1/risk/assessments/", {"grade": "", "year": "", "q": ""}).json()["count"] == plain


def test_coverage_debt_api_query_count_is_constant_and_count_comes_from_the_buckets(api_client, city_staff, township_a):
    from django.utils import timezone

    def add(n):
        ents = [EnterpriseFactory(township=township_a) for _ in range(n)]
        old = timezone.make_aware(dt.datetime(2015, 1, 1, 9))
        Enterprise.objects.filter(pk__in=[e.pk for e in ents]).update(created_at=old)
        coverage.coverage_refresh([e.pk for e in ents])  # registered 2015: the Order 49 floor is overdue

    api_client.force_authenticate(city_staff)
    assert_constant_queries(lambda: api_client.get("/api/v1/risk/coverage-debt/"), add)
    body = api_client.get("/api/v1/risk/coverage-debt/", {"page_size": 3}).json()
    assert body["count"] == 7 == coverage.coverage_overdue_count(city_staff) and len(body["results"]) == 3
