"""Constant query counts: the campaign list page, a campaign's page and the API read the same number of queries
whatever the number of manual progress entries (and the townships they are in)."""

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.models import Township
from apps.assessment.campaigns.services import progress_record
from apps.assessment.models import CampaignTarget
from tests.helpers.images import tiny_png
from tests.helpers.queries import assert_constant_queries

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_entries(campaigns, city_staff):
    target = CampaignTarget.objects.create(
        campaign=campaigns["campus"],
        code="canteens",
        label="学校食堂检查",
        unit="家",
        scope="township",
        target_value=D("10"),
        effective_from=dt.date(2021, 1, 1),
    )
    townships = itertools.cycle(list(Township.objects.filter(is_active=True).order_by("order")))

    def add(n):
        for _ in range(n):
            progress_record(
                actor=city_staff,
                target_id=target.pk,
                data={"year": YEAR, "township": next(townships), "value": "3", "note": "检查记录"},
                evidence=SimpleUploadedFile("a.png", tiny_png(), content_type="image/png"),
            )

    return target, add


@pytest.mark.parametrize("path", ["/assessment/campaigns/", "campaign", "target"])
def test_pages(client, fake_measures, city_staff, add_entries, path):
    target, add = add_entries
    if path == "campaign":
        path = f"/assessment/campaigns/{target.campaign_id}/"
    elif path == "target":
        path = f"/assessment/campaigns/targets/{target.pk}/"
    client.force_login(city_staff)

    def fetch():
        assert client.get(path).status_code == 200

    assert_constant_queries(fetch, add)


def test_api(fake_measures, city_staff, add_entries):
    _, add = add_entries
    api = APIClient()
    api.force_authenticate(city_staff)

    def fetch():
        assert api.get("/api/v1/assessment/campaigns/").status_code == 200

    assert_constant_queries(fetch, add)
