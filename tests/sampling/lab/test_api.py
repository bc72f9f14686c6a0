"""The lab API: POST /api/v1/sampling/samples/{sample}/results/ (lab clients, idempotent, the one service path) and
GET /api/v1/sampling/results/ (scoped, a change feed; the platform contracts)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.common.models import IdempotencyRecord
from apps.sampling.lab.services.members import lab_member_set
from apps.sampling.models import ResultItem, Sample
from tests.helpers.scoped_api import TownshipScopedEndpointContract

from .helpers import lead, make_sample, reported_result

pytestmark = pytest.mark.django_db


def url(ref):
    return f"/api/v1/sampling/samples/{ref}/results/"


def lab_client(lab, *, scopes=("sampling:results:write", "sampling:read"), member=True, **where):
    where = where or {"city_wide": True}
    client, token = api_client_create(name=f"LIMS-{lab.pk}-{len(scopes)}-{member}", scopes=list(scopes), **where)
    if member:
        lab_member_set(actor=None, lab_id=lab.pk, user_id=client.user_id)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(api, ref, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(url(ref), body, format="json", **headers)


BODY = {"items": [lead("0.12"), {"test_item": "protein", "value_text": "3.1", "unit": "g/100g"}], "report_no": "R-1"}


def test_a_lab_client_submits_by_number_and_gets_the_judgements(sample, lab):
    api = lab_client(lab)
    response = post(api, sample.number, BODY)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["conclusion"], body["report_no"]) == (
        sample.number, "reported", "qualified", "R-1",
    )  # fmt: skip
    assert [r["test_item"] for r in body["results"]] == ["pb", "protein"]
    assert body["results"][0]["judging_basis"].startswith("GB 2762-2022") and body["results"][0]["value"] == 0.12
    assert body["disposal"] is None and response["Location"] == f"/api/v1/sampling/results/?sample={sample.pk}"
    assert set(ResultItem.objects.filter(sample=sample).values_list("channel", flat=True)) == {"api"}


def test_by_id_and_unqualified_opens_a_disposal(sample, lab):
    response = post(lab_client(lab), str(sample.pk), {"items": [lead("0.9")]})
    assert response.status_code == 201
    assert response.json()["disposal"]["status"] == "open" and response.json()["conclusion"] == "unqualified"


def test_idempotent_replay_and_reuse_with_another_body(sample, lab):
    api = lab_client(lab)
    first = post(api, sample.number, BODY, key="abc-123")
    again = post(api, sample.number, BODY, key="abc-123")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ResultItem.objects.filter(sample=sample).count() == 2  # written once
    other = post(api, sample.number, {"items": [lead("0.5")]}, key="abc-123")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["message"]
    fresh_key = post(api, sample.number, {"items": [lead("0.5")]}, key="abc-124")
    assert fresh_key.status_code == 409 and fresh_key.json()["code"] == "results_final"
    assert "不能覆盖" in fresh_key.json()["message"]
    assert IdempotencyRecord.objects.filter(key="abc-123").count() == 1


def test_a_client_must_send_an_idempotency_key(sample, lab):
    response = post(lab_client(lab), sample.number, BODY, key=None)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    assert not ResultItem.objects.exists()


def test_a_client_not_linked_to_the_sample_lab_is_403_in_chinese(sample, lab):
    response = post(lab_client(lab, member=False), sample.number, BODY)
    assert response.status_code == 403 and response.json()["code"] == "not_your_lab"
    assert "海宁市食品药品检验所" in response.json()["message"]
    assert not ResultItem.objects.exists() and Sample.objects.get(pk=sample.pk).status == "sampled"


def test_a_client_that_cannot_see_the_sample_gets_404(sample, lab, township_b):
    response = post(lab_client(lab, member=False, township_codes=[township_b.code]), sample.number, BODY)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_write_scope_is_required(sample, lab):
    response = post(lab_client(lab, scopes=("sampling:read",)), sample.number, BODY)
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [lead("0.1", unit="g/kg")]}, "items[0].unit"),
        ({"items": [lead("0.1"), {"test_item": "caffeine", "value_text": "1"}]}, "items[1].test_item"),
        ({"items": [lead("多")]}, "items[0].value_text"),
        ({"items": []}, "items"),
        ({"items": [lead()], "status": "qualified"}, "status"),
        ({"items": [{**lead(), "verdict": "qualified"}]}, "items"),
        ({"items": [{"test_item": "pb", "value_text": 0.1}]}, "items"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(sample, lab, body, field):
    response = post(lab_client(lab), sample.number, body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert not ResultItem.objects.exists()


def test_future_production_date_is_a_400(catalogue, township_a, lab):
    future = make_sample(catalogue.sub, township_a, lab=lab, production_date=dt.date.today() + dt.timedelta(days=2))
    response = post(lab_client(lab), future.number, BODY)
    assert response.status_code == 400 and "production_date" in response.json()["fields"]


def test_a_session_lab_user_may_post_without_a_key(api_client, lab_user, sample):
    api_client.force_authenticate(lab_user)
    assert api_client.post(url(sample.number), BODY, format="json").status_code == 201


def test_get_on_the_submit_route_is_405(api_client, lab_user, sample):
    api_client.force_authenticate(lab_user)
    assert api_client.get(url(sample.number)).status_code == 405


class TestResultListContract(TownshipScopedEndpointContract):
    list_url = "/api/v1/sampling/results/"
    client_scope = "sampling:read"

    def make(self, township):
        return reported_result(township, "0.1")


def test_lab_staff_see_the_results_of_their_lab_only(api_client, lab_user, sample, township_a):
    mine = reported_result(township_a)  # another lab's sample
    from apps.sampling.choices import EntryChannel
    from apps.sampling.lab.services.results import results_submit

    results_submit(lab_user, sample, [lead("0.1")], channel=EntryChannel.PAGE)
    api_client.force_authenticate(lab_user)
    ids = [r["id"] for r in api_client.get("/api/v1/sampling/results/").json()["results"]]
    assert ids == list(ResultItem.objects.filter(sample=sample).values_list("pk", flat=True))
    assert mine.pk not in ids
    assert api_client.get("/api/v1/sampling/results/", {"verdict": "bogus"}).status_code == 400
