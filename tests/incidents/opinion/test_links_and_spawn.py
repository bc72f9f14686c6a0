"""Enterprise suggestions (name and address matches in the registry, in scope) and confirmed links (audited); the
two spawns: an incident through emergencies' ``incident_create`` and a flying inspection through the
``inspections.flying_create`` provider — each once (a second spawn returns the first), and a page that explains
why the button is off when no provider is registered."""

import pytest
from django.urls import reverse

from apps.common import hooks
from apps.common.exceptions import ValidationFailed
from apps.common.models import AuditEvent
from apps.incidents.models import Incident
from apps.incidents.opinion import services
from apps.incidents.opinion.selectors import enterprise_suggestions
from tests.conftest import make_user
from tests.inspections.factories import make_enterprise, make_inspector

from .helpers import advance, city_user, new_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(township_a, township_b):
    return {
        "name": make_enterprise(township_a, name="海宁老街面馆", business_address="硖石街道西山路 18 号"),
        "address": make_enterprise(township_a, name="阿明小吃", business_address="硖石街道 干河街１２号"),
        "other": make_enterprise(township_a, name="远方超市", business_address="许村镇某路 1 号"),
        "elsewhere": make_enterprise(township_b, name="海宁老街面馆（分店）", business_address="长安镇某路 2 号"),
    }


def test_suggestions_by_name_and_by_normalised_address(shops, township_a, staff_a):
    e = new_event(
        township_a,
        title="网传面馆卫生差",
        content="有网友称海宁老街面馆后厨脏乱。",
        subject_name="",
        address="硖石街道干河街12号",
    )
    found = {s.enterprise.pk: s.reasons for s in enterprise_suggestions(e, actor=city_user())}
    assert "名称出现在舆情中" in found[shops["name"].pk]
    assert shops["address"].pk in found and "地址一致" in found[shops["address"].pk]  # spaces and full-width folded
    assert shops["other"].pk not in found
    # township staff see only their township's registry
    assert shops["elsewhere"].pk not in {s.enterprise.pk for s in enterprise_suggestions(e, actor=staff_a)}


def test_confirming_a_link_is_audited_and_leaves_the_suggestions(client, shops, township_a):
    e = new_event(township_a, subject_name="海宁老街面馆")
    client.force_login(city_user())
    page = client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()
    assert "海宁老街面馆" in page and "确认关联" in page
    response = client.post(
        reverse("incidents:opinion_link", args=[e.pk]), {"enterprise": shops["name"].pk, "reason": "名称一致"}
    )
    assert response.status_code == 302
    assert list(e.enterprises.all()) == [shops["name"]]
    assert AuditEvent.objects.filter(action="incidents.opinion_link_enterprise", object_id=str(e.pk)).count() == 1
    assert shops["name"].pk not in {s.enterprise.pk for s in enterprise_suggestions(e, actor=city_user())}
    again = client.post(reverse("incidents:opinion_link", args=[e.pk]), {"enterprise": shops["name"].pk})
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="incidents.opinion_link_enterprise").count() == 1


def test_linking_an_enterprise_outside_scope_is_a_chinese_400(client, shops, township_a, staff_a):
    e = new_event(township_a, actor=staff_a)
    client.force_login(staff_a)
    response = client.post(reverse("incidents:opinion_link", args=[e.pk]), {"enterprise": shops["elsewhere"].pk})
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
    assert not e.enterprises.exists()


# ---------------------------------------------------------------------------------------------------- incident
@pytest.fixture
def incident_user(reference):
    from django.contrib.auth.models import Permission

    user = make_user("opinion-incident", "city_staff")
    user.user_permissions.add(Permission.objects.get(codename="add_incident", content_type__app_label="incidents"))
    from apps.accounts.models import User

    return User.objects.get(pk=user.pk)


def test_spawn_incident_previews_then_confirms_once(client, incident_user, township_a):
    e = new_event(township_a, actor=incident_user)
    client.force_login(incident_user)
    url = reverse("incidents:opinion_spawn_incident", args=[e.pk])
    preview = client.get(url)
    assert preview.status_code == 200 and "确认登记食品安全事件" in preview.content.decode()
    assert not Incident.objects.exists()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 302 and not Incident.objects.exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    incident = Incident.objects.get()
    e.refresh_from_db()
    assert e.spawned_incident == incident and incident.title == e.title and incident.township == township_a
    assert incident.occurred_at == e.discovered_at
    audit = AuditEvent.objects.get(action="incidents.incident_create")
    assert audit.extra["source_ref"] == f"opinion-event:{e.pk}"
    # twice (a second tab, a double click): the first incident, nothing new
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    again, created = services.spawn_incident(actor=incident_user, event_id=e.pk)
    assert not created and again.spawned_incident == incident
    assert Incident.objects.count() == 1
    assert AuditEvent.objects.filter(action="incidents.opinion_spawn_incident").count() == 1
    assert incident.number in client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()


def test_without_the_incident_permission_the_button_says_why(client, township_a):
    from django.contrib.auth.models import Permission

    e = new_event(township_a)
    user = city_user()
    granted = Permission.objects.filter(group__user=user).exclude(
        content_type__app_label="incidents", codename="add_incident"
    )
    user.user_permissions.set(granted)  # city staff, less the right to register incidents
    user.groups.clear()
    user = type(user).objects.get(pk=user.pk)  # drop the permission cache
    client.force_login(user)
    page = client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()
    assert "您没有登记食品安全事件的权限" in page
    assert client.get(reverse("incidents:opinion_spawn_incident", args=[e.pk])).status_code == 403


# ---------------------------------------------------------------------------------------------------- inspection
@pytest.fixture
def inspectors(township_a):
    return [make_inspector(township=township_a), make_inspector(township=township_a)]


def test_spawn_inspection_through_the_provider_once(client, shops, inspectors, township_a):
    from apps.inspections.models import InspectionTask

    e = new_event(township_a, subject_name="海宁老街面馆")
    services.enterprise_link(actor=city_user(), event_id=e.pk, enterprise_id=shops["name"].pk)
    client.force_login(city_user())
    url = reverse("incidents:opinion_spawn_inspection", args=[e.pk])
    preview = client.get(url)
    assert preview.status_code == 200 and "海宁老街面馆" in preview.content.decode()
    assert not InspectionTask.objects.exists()
    response = client.post(url, {"confirm": "yes", "enterprise": shops["name"].pk, "reason": ""})
    assert response.status_code == 302
    task = InspectionTask.objects.get()
    e.refresh_from_db()
    assert task.kind == "flying" and task.enterprise == shops["name"] and task.inspectors.count() == 2
    assert f"opinion-event:{e.pk}" in task.reason
    assert e.spawned_inspection_ref == f"inspection-task:{task.pk}"
    assert e.spawned_inspection_url == reverse("inspections:task_detail", args=[task.pk])
    assert client.post(url, {"confirm": "yes", "enterprise": shops["name"].pk}).status_code == 302
    assert InspectionTask.objects.count() == 1
    assert AuditEvent.objects.filter(action="incidents.opinion_spawn_inspection").count() == 1


def test_spawn_inspection_needs_a_linked_enterprise(client, shops, inspectors, township_a):
    e = new_event(township_a)
    with pytest.raises(ValidationFailed, match="请先确认关联检查对象"):
        services.spawn_inspection(actor=city_user(), event_id=e.pk, enterprise_id=shops["name"].pk)
    client.force_login(city_user())
    page = client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()
    assert "请先确认关联检查对象" in page


def test_without_a_provider_the_page_explains_and_the_service_refuses(client, shops, township_a):
    saved = hooks.providers(services.INSPECTION_PROVIDER)
    for key in saved:
        hooks.withdraw(services.INSPECTION_PROVIDER, key)
    try:
        e = new_event(township_a)
        services.enterprise_link(actor=city_user(), event_id=e.pk, enterprise_id=shops["name"].pk)
        with pytest.raises(ValidationFailed, match="飞行检查服务未启用"):
            services.spawn_inspection(actor=city_user(), event_id=e.pk, enterprise_id=shops["name"].pk)
        client.force_login(city_user())
        page = client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()
        assert "飞行检查服务未启用" in page and 'id="spawn-inspection"' not in page
    finally:
        for key, fn in saved.items():
            hooks.provide(services.INSPECTION_PROVIDER, key, fn)


def test_a_closed_event_spawns_nothing(shops, township_a, incident_user):
    e = advance(new_event(township_a, actor=incident_user), "closed")
    from apps.common.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.spawn_incident(actor=incident_user, event_id=e.pk)
