"""/api/v1/assessment/rounds/ and /api/v1/assessment/scores/: read-only, the scoped-endpoint contract on scores
(a township sees only its own, with the drill-down items), the ``assessment:read`` scope, constant query counts."""

import itertools
from decimal import Decimal as D

import pytest

from apps.assessment.models import AssessmentRound, AssessmentScheme, ScoreItem, TownshipScore
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import TownshipScopedEndpointContract

pytestmark = pytest.mark.django_db
_years = itertools.count(2000)


def _round():
    return AssessmentRound.objects.create(year=next(_years), scheme=AssessmentScheme.objects.get(version=1))


def _score(township, rnd=None):
    rnd = rnd or _round()
    s = TownshipScore.objects.create(round=rnd, township=township, total=D("12.50"), rank=1, stars=1)
    for ind in rnd.scheme.indicators.all()[:3]:
        ScoreItem.objects.create(
            score=s,
            indicator=ind,
            value=D(1),
            computed_points=D(50),
            points=D(50),
            weighted=ind.weight / 2,
            url="/rows/",
        )
    return s


class TestScoreAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/assessment/scores/"
    client_scope = "assessment:read"

    def make(self, township):
        return _score(township)


def test_score_has_its_items(api_client, staff_a, township_a):
    s = _score(township_a)
    api_client.force_authenticate(staff_a)
    body = api_client.get(f"/api/v1/assessment/scores/{s.pk}/").json()
    assert D(str(body["total"])) == D("12.50") and body["township"] == township_a.pk
    assert len(body["items"]) == 3 and body["items"][0]["url"] == "/rows/"


def test_rounds_list_filters_and_is_read_only(api_client, leader, user_without_perms):
    r = _round()
    api_client.force_authenticate(leader)
    body = api_client.get("/api/v1/assessment/rounds/", {"year": r.year}).json()
    assert [x["id"] for x in body["results"]] == [r.pk] and body["results"][0]["scheme_is_default"] is True
    assert api_client.get("/api/v1/assessment/rounds/", {"year": "abc"}).status_code == 400
    assert api_client.post("/api/v1/assessment/rounds/", {"year": 2030}, format="json").status_code == 405
    api_client.force_authenticate(user_without_perms)
    assert api_client.get("/api/v1/assessment/rounds/").status_code == 403


def test_rounds_list_constant_queries(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    assert_constant_queries(
        lambda: api_client.get("/api/v1/assessment/rounds/"), lambda n: [_round() for _ in range(n)]
    )


def test_api_in_openapi_schema(api_client, security_admin):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/api/v1/assessment/rounds/" in paths and "/api/v1/assessment/scores/{id}/" in paths
