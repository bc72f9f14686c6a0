"""/api/v1/jobs/: the generic scoped contract (jobs are scoped by creator), and starting the self-test job."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.common.models import AuditEvent, Job, JobStatus
from tests.helpers.scoped_api import ScopedEndpointContract

URL = "/api/v1/jobs/"


class TestJobAPIContract(ScopedEndpointContract):
    """Jobs are visible to their creator; ``common.view_all_jobs`` (system admin) sees all."""

    list_url = URL
    client_scope = "jobs:read"

    @pytest.fixture
    def viewer(self, staff_a, staff_b):
        self.other = staff_b
        return staff_a

    @pytest.fixture
    def wide_viewer(self, sys_admin):
        return sys_admin

    def make_visible(self, viewer):
        return Job.objects.create(kind="common.selftest", created_by=viewer)

    def make_hidden(self, viewer):
        return Job.objects.create(kind="common.selftest", created_by=self.other)

    def client_for(self, viewer, scopes):
        return api_client_create(name=f"client-{len(scopes)}-{scopes[0]}", scopes=scopes, township_codes=["xiashi"])


def bearer(token):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def as_staff_a(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


def test_start_selftest_returns_202_with_location_and_runs(as_staff_a, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff_a.post(URL, {"kind": "common.selftest", "payload": {"steps": 2, "delay": 0}}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "common.selftest" and body["title"] == "系统自检"
    assert response["Location"] == f"{URL}{body['id']}/"
    job = Job.objects.get(pk=body["id"])
    assert job.created_by == staff_a
    assert job.payload == {"steps": 2, "delay": 0.0}
    assert job.status == JobStatus.DONE
    assert job.result["ok"] is True and job.result["steps"] == 2
    done = as_staff_a.get(response["Location"]).json()
    assert done["status"] == "done" and done["progress"] == 100
    assert AuditEvent.objects.filter(action="job.create", object_id=str(job.pk)).count() == 1


def test_payload_defaults_and_bounds(as_staff_a):
    ok = as_staff_a.post(URL, {"kind": "common.selftest"}, format="json")
    assert ok.status_code == 202
    assert Job.objects.get(pk=ok.json()["id"]).payload == {"steps": 4, "delay": 0.2}
    for payload in ({"steps": 0}, {"steps": 500}, {"delay": 60}, {"steps": "many"}, {"command": "rm -rf /"}):
        response = as_staff_a.post(URL, {"kind": "common.selftest", "payload": payload}, format="json")
        assert response.status_code == 400, payload
        assert "payload" in response.json()["fields"]
    assert Job.objects.count() == 1


@pytest.mark.parametrize("kind", ["enterprises.import", "common.nonexistent", "", None])
def test_only_startable_kinds_may_be_started(as_staff_a, kind):
    response = as_staff_a.post(URL, {"kind": kind}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    assert not Job.objects.exists()


def test_start_needs_view_job_permission(api_client, user_without_perms):
    api_client.force_authenticate(user_without_perms)
    assert api_client.post(URL, {"kind": "common.selftest"}, format="json").status_code == 403
    assert not Job.objects.exists()


def test_leader_may_start_a_selftest_but_not_see_others_jobs(api_client, leader, staff_a):
    Job.objects.create(kind="x", created_by=staff_a)
    api_client.force_authenticate(leader)
    response = api_client.post(URL, {"kind": "common.selftest"}, format="json")
    assert response.status_code == 202
    assert [row["id"] for row in api_client.get(URL).json()["results"]] == [response.json()["id"]]


def test_client_needs_jobs_write_scope_to_start(reference):
    _, read_only = api_client_create(name="只读", scopes=["jobs:read"], city_wide=True)
    response = bearer(read_only).post(URL, {"kind": "common.selftest"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "jobs:write" in response.json()["message"]
    assert not Job.objects.exists()

    client, writer = api_client_create(name="可写", scopes=["jobs:read", "jobs:write"], city_wide=True)
    response = bearer(writer).post(URL, {"kind": "common.selftest"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 202
    job = Job.objects.get()
    assert job.created_by == client.user
    assert bearer(writer).get(f"{URL}{job.pk}/").status_code == 200


def test_client_post_without_idempotency_key_is_400(reference):
    _, token = api_client_create(name="可写", scopes=["jobs:write"], city_wide=True)
    response = bearer(token).post(URL, {"kind": "common.selftest"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert not Job.objects.exists()
