"""Sampling tasks: city staff give a plan line's batches (one enterprise or N), 抽检分离 on every path, the line's
township and capacity, an approved plan; cancel with a reason through a preview and a confirm; the list page."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import OrganisationKind, TaskStatus
from apps.sampling.fieldwork.services.tasks import task_bulk_create, task_cancel, task_create
from apps.sampling.models import SamplingTask
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.sampling import PlanLineFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import make_org

pytestmark = pytest.mark.django_db


def _create(world, actor, **kw):
    values = {
        "plan_line_id": world.line.pk,
        "enterprise_id": world.enterprises[0].pk,
        "sampling_org_id": world.sampler_org.pk,
        "lab_id": world.lab.pk,
    }
    values.update(kw)
    return task_create(actor=actor, **values)


def test_city_staff_create_a_task_from_a_line(world, city_staff):
    task = _create(world, city_staff)
    assert task.status == TaskStatus.ASSIGNED
    assert (task.plan, task.plan_line, task.category) == (world.line.plan, world.line, world.line.category)
    assert task.due_on >= timezone.localdate()
    assert AuditEvent.objects.filter(action="sampling.task_create", object_id=str(task.pk)).count() == 1


def test_separation_is_refused_for_the_same_org_and_the_same_uscc(world, city_staff):
    # the same row: a lab can't be a sampling organisation anyway, so the kinds are checked first
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, lab_id=world.sampler_org.pk)
    assert "lab" in exc.value.fields
    twin = make_org("同一法人的检验部", OrganisationKind.LAB, uscc=world.sampler_org.uscc)
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, lab_id=twin.pk)
    assert exc.value.message == "抽样机构与检验机构不得为同一单位（抽检分离）"
    assert not SamplingTask.objects.exists()


def test_kinds_and_activity_of_the_organisations(world, city_staff):
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, sampling_org_id=world.lab.pk, lab_id=world.other_lab.pk)
    assert "不是抽样机构" in exc.value.fields["sampling_org"][0]
    world.lab.is_active = False
    world.lab.save()
    with pytest.raises(ValidationFailed, match="已停用"):
        _create(world, city_staff)
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, lab_id="")
    assert exc.value.fields == {"lab": ["请选择检验机构"]}


def test_enterprise_must_be_in_the_line_township_and_operating(world, city_staff, township_b):
    elsewhere = EnterpriseFactory(township=township_b)
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, enterprise_id=elsewhere.pk)
    assert "不在硖石街道" in exc.value.fields["enterprises"][0]
    closed = EnterpriseFactory(township=world.line.township, suspended=True)
    with pytest.raises(ValidationFailed, match="停业"):
        _create(world, city_staff, enterprise_id=closed.pk)


def test_a_targeted_line_that_names_an_enterprise_takes_only_it(world, city_staff):
    line = PlanLineFactory(
        plan=world.line.plan,
        township=world.line.township,
        category=world.category,
        source="targeted",
        enterprise=world.enterprises[2],
        month=world.line.month,
    )
    with pytest.raises(ValidationFailed, match="指定的对象"):
        _create(world, city_staff, plan_line_id=line.pk)
    assert (
        _create(world, city_staff, plan_line_id=line.pk, enterprise_id=world.enterprises[2].pk).enterprise_id
        == world.enterprises[2].pk
    )


def test_bulk_create_within_the_line_batches(world, city_staff):
    tasks = task_bulk_create(
        actor=city_staff,
        plan_line_id=world.line.pk,
        enterprise_ids=[e.pk for e in world.enterprises[:3]],
        sampling_org_id=world.sampler_org.pk,
        lab_id=world.lab.pk,
    )
    assert len(tasks) == 3 and {t.enterprise_id for t in tasks} == {e.pk for e in world.enterprises[:3]}
    event = AuditEvent.objects.get(action="sampling.task_bulk_create")
    assert sorted(event.extra["tasks"]) == sorted(t.pk for t in tasks)
    more = [EnterpriseFactory(township=world.line.township).pk for _ in range(3)]
    with pytest.raises(ValidationFailed) as exc:
        task_bulk_create(
            actor=city_staff,
            plan_line_id=world.line.pk,
            enterprise_ids=more,
            sampling_org_id=world.sampler_org.pk,
            lab_id=world.lab.pk,
        )
    assert "最多还能下达 2 批" in exc.value.message
    assert SamplingTask.objects.count() == 3


def test_only_approved_plans_and_city_permission(world, city_staff, staff_a):
    plan = world.line.plan
    plan.status = "draft"
    plan.save()
    with pytest.raises(InvalidTransition, match="已下达的计划"):
        _create(world, city_staff)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _create(world, staff_a)  # township staff view tasks; city staff give them


def test_due_date_not_in_the_past(world, city_staff):
    with pytest.raises(ValidationFailed) as exc:
        _create(world, city_staff, due_on="2001-01-01")
    assert exc.value.fields == {"due_on": ["不能早于今天"]}
    with pytest.raises(ValidationFailed):
        _create(world, city_staff, due_on="not-a-date")


def test_cancel_needs_a_reason_and_an_open_task(world, city_staff, task):
    with pytest.raises(ValidationFailed):
        task_cancel(actor=city_staff, task_id=task.pk, reason="短")
    cancelled = task_cancel(actor=city_staff, task_id=task.pk, reason="企业已停业，无法抽样")
    assert cancelled.status == TaskStatus.CANCELLED and cancelled.cancel_reason == "企业已停业，无法抽样"
    with pytest.raises(InvalidTransition):
        task_cancel(actor=city_staff, task_id=task.pk, reason="再取消一次")
    with pytest.raises(OutOfScope):
        task_cancel(actor=city_staff, task_id=999999, reason="不存在的任务")
    # the batch goes back to the line
    assert _create(world, city_staff).status == TaskStatus.ASSIGNED


# ---------------------------------------------------------------------------- pages
def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_cancel_page_previews_then_confirms(world, city_staff, task):
    client = _client(city_staff)
    url = reverse("sampling:task_cancel", args=[task.pk])
    preview = client.get(url)
    assert preview.status_code == 200 and "确认取消任务" in preview.content.decode()
    # a POST without confirm=yes goes back to the preview and changes nothing
    assert client.post(url, {"reason": "企业已停业"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.ASSIGNED
    bad = client.post(url, {"confirm": "yes", "reason": ""})
    assert bad.status_code == 400 and "请写明取消原因" in bad.content.decode()
    done = client.post(url, {"confirm": "yes", "reason": "企业已停业，无法抽样"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_task_create_page_picker_and_form(world, city_staff):
    client = _client(city_staff)
    picker = client.get(reverse("sampling:task_create"))
    assert picker.status_code == 200 and f"?line={world.line.pk}" in picker.content.decode()
    url = reverse("sampling:task_create") + f"?line={world.line.pk}"
    page = client.get(url)
    assert page.status_code == 200 and world.enterprises[3].name in page.content.decode()
    data = {
        "line": str(world.line.pk),
        "enterprises": [str(world.enterprises[0].pk), str(world.enterprises[1].pk)],
        "sampling_org": str(world.sampler_org.pk),
        "lab": str(world.lab.pk),
        "due_on": "",
    }
    assert client.post(url, data).status_code == 302
    assert SamplingTask.objects.filter(plan_line=world.line).count() == 2
    # the same legal person as sampler and lab: 400, the message beside the lab field, nothing written
    twin = make_org("同一法人检验部", OrganisationKind.LAB, uscc=world.sampler_org.uscc)
    bad = client.post(url, {**data, "enterprises": [str(world.enterprises[2].pk)], "lab": str(twin.pk)})
    assert bad.status_code == 400 and "抽检分离" in bad.content.decode()
    nothing = client.post(url, {**data, "enterprises": []})
    assert nothing.status_code == 400 and "请至少选择一家被抽样单位" in nothing.content.decode()
    assert SamplingTask.objects.count() == 2


def test_task_list_filters_and_constant_queries(world, city_staff, task):
    client = _client(city_staff)
    url = reverse("sampling:task_list")
    html = client.get(
        url, {"status": "", "township": "", "plan": "", "sampling_org": "", "lab": "", "category": "", "q": ""}
    ).content.decode()
    assert task.enterprise.name in html
    assert task.enterprise.name not in client.get(url, {"status": "cancelled"}).content.decode()
    assert client.get(url, {"lab": str(world.other_lab.pk)}).content.decode().count("empty-title") == 1

    def add(n):
        for _ in range(n):
            ent = EnterpriseFactory(township=world.line.township)
            SamplingTask.objects.create(
                plan=world.line.plan,
                plan_line=world.line,
                enterprise=ent,
                category=world.category,
                sampling_org=world.sampler_org,
                lab=world.lab,
            )

    assert_constant_queries(fetch=lambda: client.get(url), add_rows=add)


def test_sampler_sees_their_list_and_the_form_button(world, task):
    html = _client(world.sampler).get(reverse("sampling:task_list")).content.decode()
    assert reverse("sampling:sample_create", args=[task.pk]) in html
