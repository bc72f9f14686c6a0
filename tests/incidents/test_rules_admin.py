"""The dated rules of incidents in the admin (the system administrator): a new row from today on is accepted and
audited; a row already in force is history (read-only, not deletable); a past effective date is refused in Chinese."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common.models import AuditEvent
from apps.incidents.models import ComplaintRules, OpinionRules

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sys_admin):
    client.force_login(sys_admin)
    return client


def _add_url(model):
    return reverse(f"admin:incidents_{model._meta.model_name}_add")


def test_a_future_rule_is_added_and_audited_and_a_rule_in_force_is_history(admin_client):
    current = OpinionRules.objects.in_force(timezone.localdate())
    assert current is not None
    day = timezone.localdate() + dt.timedelta(days=30)
    response = admin_client.post(
        _add_url(OpinionRules), {"effective_from": day.isoformat(), "response_hours": "12", "note": "市政府新要求"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = OpinionRules.objects.get(effective_from=day)
    assert added.response_hours == 12
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(added.pk)).exists()
    change = reverse("admin:incidents_opinionrules_change", args=[current.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="response_hours"' not in page.content.decode()  # read-only
    assert admin_client.post(change, {"effective_from": "2019-01-01", "response_hours": "1"}).status_code == 403
    delete = reverse("admin:incidents_opinionrules_delete", args=[current.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    current.refresh_from_db()
    assert current.response_hours == 24


def test_a_past_effective_date_is_refused_in_chinese(admin_client):
    before = ComplaintRules.objects.count()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = admin_client.post(_add_url(ComplaintRules), {"effective_from": yesterday.isoformat()})
    assert response.status_code == 200 and "生效日期不能早于今天" in response.content.decode()
    assert ComplaintRules.objects.count() == before


def test_other_roles_may_not_change_the_rules(client, city_staff, leader):
    for user in (city_staff, leader):
        client.force_login(user)
        response = client.get(_add_url(ComplaintRules))
        assert response.status_code in (302, 403)
