"""/api/v1/sampling/tasks/ and /samples/: the scoped-endpoint contract (township staff / city / API clients),
a lab's API client sees only the samples sent to its lab, the 抽样单 fields, filters shared with the page."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from tests.factories import sampling as factories
from tests.helpers.scoped_api import TownshipScopedEndpointContract

from .conftest import make_org

pytestmark = pytest.mark.django_db


class TestSamplingTaskAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/sampling/tasks/"
    client_scope = "sampling:read"

    def make(self, township):
        return factories.SamplingTaskFactory(plan_line__township=township)


class TestSampleAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/sampling/samples/"
    client_scope = "sampling:read"

    def make(self, township):
        return factories.SampleFactory(task__plan_line__township=township)


def test_sample_detail_carries_the_sampling_record_fields(api_client, city_staff, township_a):
    sample = factories.SampleFactory(task__plan_line__township=township_a, site_phone="13800001234")
    api_client.force_authenticate(city_staff)
    body = api_client.get(f"/api/v1/sampling/samples/{sample.pk}/").json()
    assert body["number"] == sample.number and body["samplers"] == ["王抽样", "李抽样"]
    assert body["sampling_org"]["id"] == sample.sampling_org_id and body["lab"]["id"] == sample.lab_id
    assert body["category"][-1]["id"] == sample.category_id
    for key in ("site_uscc", "producer_licence_no", "backup_seal_no", "backup_quantity", "production_date", "batch_no"):
        assert key in body
    assert body["site_phone"] == "13800001234"


def test_phone_is_masked_without_the_permission(api_client, world, township_a):
    sample = factories.SampleFactory(
        task__sampling_org=world.sampler_org,
        task__lab=world.lab,
        task__plan_line__township=township_a,
        site_phone="13800001234",
    )
    api_client.force_authenticate(world.lab_user)
    assert api_client.get(f"/api/v1/sampling/samples/{sample.pk}/").json()["site_phone"] == "138****1234"


def test_a_lab_api_client_sees_only_its_lab(world, township_a, township_b):
    ours = factories.SampleFactory(
        task__sampling_org=world.sampler_org, task__lab=world.lab, task__plan_line__township=township_a
    )
    theirs = factories.SampleFactory(
        task__sampling_org=make_org("别的抽样公司"), task__lab=world.other_lab, task__plan_line__township=township_b
    )
    client, token = api_client_create(name="lab-client", scopes=["sampling:read"])
    world.lab.members.add(client.user)
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids = [row["id"] for row in api.get("/api/v1/sampling/samples/").json()["results"]]
    assert ids == [ours.pk]
    assert api.get(f"/api/v1/sampling/samples/{theirs.pk}/").status_code == 404


def test_filters_are_the_pages(api_client, city_staff, township_a, township_b):
    a = factories.SampleFactory(task__plan_line__township=township_a)
    factories.SampleFactory(task__plan_line__township=township_b)
    api_client.force_authenticate(city_staff)
    url = "/api/v1/sampling/samples/"
    assert [r["id"] for r in api_client.get(url, {"township": township_a.pk}).json()["results"]] == [a.pk]
    assert api_client.get(url, {"township": 999999}).json()["count"] == 0  # a missing row matches nothing
    assert api_client.get(url, {"category": 999999}).json()["count"] == 0
    assert api_client.get(url, {"month": 13}).status_code == 400
    assert api_client.get(url, {"conclusion": "none"}).json()["count"] == 2
    bad = api_client.get(url, {"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["fields"]
