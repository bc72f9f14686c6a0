"""The 抽样单: sample_create (number, task → 已抽样, audit), its refusals (each names the field, nothing is written),
the prefill from the task and the registry, and the phone form posted the way a browser posts it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import TaskStatus
from apps.sampling.fieldwork.selectors import sample_initial
from apps.sampling.fieldwork.services.samples import allocate_number, sample_create
from apps.sampling.models import Sample, SampleSequence, SamplingTask
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _no_sample_written(task):
    task.refresh_from_db()
    assert task.status == TaskStatus.ASSIGNED
    assert not Sample.objects.exists()
    assert not AuditEvent.objects.filter(action="sampling.sample_create").exists()
    assert not SampleSequence.objects.filter(last__gt=0).exists()


def test_sampler_fills_the_sample_and_the_task_is_sampled(world, task, settings):
    settings.SAMPLING_DIVISION_CODE = "330481"
    sample = sample_create(actor=world.sampler, task=task, data=world.form_data())
    year = timezone.localdate().year % 100
    assert sample.number == f"DC{year:02d}330481000000001" and len(sample.number) == 19
    assert sample.samplers == ["王抽样", "李抽样"]
    assert list(sample.sampler_users.all()) == [world.sampler]  # the name matches the member's account
    assert (sample.sampling_org, sample.lab, sample.enterprise) == (world.sampler_org, world.lab, task.enterprise)
    assert sample.township_id == task.enterprise.township_id
    assert sample.purpose == "supervisory" and sample.source == world.line.source
    assert sample.backup_seal_no == "FY000123" and sample.backup_sealed_by_site is True
    task.refresh_from_db()
    assert task.status == TaskStatus.SAMPLED
    event = AuditEvent.objects.get(action="sampling.sample_create")
    assert event.extra["number"] == sample.number and event.actor_id == world.sampler.pk


def test_numbers_are_consecutive_and_unique_per_year(world, city_staff, task):
    from apps.sampling.fieldwork.services.tasks import task_create

    second = task_create(
        actor=city_staff,
        plan_line_id=world.line.pk,
        enterprise_id=world.enterprises[1].pk,
        sampling_org_id=world.sampler_org.pk,
        lab_id=world.lab.pk,
    )
    a = sample_create(actor=world.sampler, task=task, data=world.form_data())
    b = sample_create(actor=world.sampler, task=second, data=world.form_data())
    assert int(b.number[-9:]) == int(a.number[-9:]) + 1
    assert a.number[:10] == b.number[:10]
    assert allocate_number(2019).startswith("DC19330481") and allocate_number(2019).endswith("000000002")


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"sampler_2": ""}, "samplers", "至少 2 名"),
        ({"sampler_2": "王抽样"}, "samplers", "重复"),
        ({"backup_seal_no": ""}, "backup_seal_no", "封条编号"),
        ({"backup_quantity": "0"}, "backup_quantity", ""),
        ({"backup_sealed_by_site": None}, "backup_sealed_by_site", "签字确认"),
        ({"production_date": "2999-01-01"}, "production_date", "生产日期不能晚于今天"),
        ({"sampled_on": "2999-01-01"}, "sampled_on", "抽样日期不能晚于今天"),
        ({"name": ""}, "name", ""),
        ({"quantity": "abc"}, "quantity", ""),
        ({"production_date": "2026-02-30"}, "production_date", ""),
        ({"category": "999999"}, "category", ""),
        ({"stage": "nowhere"}, "stage", ""),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, task, overrides, field, text):
    with pytest.raises(ValidationFailed) as exc:
        sample_create(actor=world.sampler, task=task, data=world.form_data(**overrides))
    assert field in exc.value.fields, exc.value.fields
    assert text in " ".join(exc.value.fields[field])
    assert exc.value.message.startswith("抽样单有误，请检查：")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(exc.value.fields[field]))
    _no_sample_written(task)


def test_production_date_after_sampling_date(world, task):
    today = timezone.localdate()
    data = world.form_data(
        sampled_on=(today - dt.timedelta(days=3)).isoformat(),
        production_date=(today - dt.timedelta(days=1)).isoformat(),
    )
    with pytest.raises(ValidationFailed) as exc:
        sample_create(actor=world.sampler, task=task, data=data)
    assert exc.value.fields["production_date"] == ["生产日期不能晚于抽样日期"]
    assert "生产" in exc.value.message
    _no_sample_written(task)


def test_every_wrong_field_is_named_at_once(world, task):
    data = world.form_data(sampler_2="", backup_seal_no="", name="")
    with pytest.raises(ValidationFailed) as exc:
        sample_create(actor=world.sampler, task=task, data=data)
    assert {"samplers", "backup_seal_no", "name"} <= set(exc.value.fields)
    assert "抽样人员" in exc.value.message and "样品名称" in exc.value.message


def test_only_a_member_of_the_task_sampling_organisation_fills_it(world, task, reference):
    outsider = make_user("other_sampler", "sampler")
    with pytest.raises(Exception) as exc:  # not visible at all: the task is not theirs
        sample_create(actor=outsider, task=task, data=world.form_data())
    assert type(exc.value).__name__ == "OutOfScope"
    with pytest.raises(PermissionDenied):
        sample_create(actor=world.lab_user, task=task, data=world.form_data())  # lab staff lack add_sample
    _no_sample_written(task)


def test_a_sampled_or_cancelled_task_takes_no_second_sample(world, task, city_staff):
    sample_create(actor=world.sampler, task=task, data=world.form_data())
    with pytest.raises(InvalidTransition):
        sample_create(actor=world.sampler, task=task, data=world.form_data())
    assert Sample.objects.count() == 1


def test_separation_is_checked_again_when_the_sample_is_taken(world, task):
    # the lab became the same legal person as the sampler after the task was given (e.g. a USCC corrected)
    type(world.lab).objects.filter(pk=world.lab.pk).update(uscc=world.sampler_org.uscc)
    with pytest.raises(ValidationFailed, match="抽检分离"):
        sample_create(actor=world.sampler, task=task, data=world.form_data())
    _no_sample_written(task)


def test_prefill_comes_from_the_task_and_the_registry(world, task, city_staff):
    task = SamplingTask.objects.select_related("enterprise__business_type").get(pk=task.pk)
    ent = task.enterprise
    initial = sample_initial(task, actor=world.sampler)
    licence = ent.licences.get()
    assert initial["site_name"] == ent.name and initial["site_uscc"] == ent.uscc
    assert initial["site_address"] == ent.business_address
    assert initial["site_licence_kind"] == "食品经营许可证" and initial["site_licence_no"] == licence.number
    assert initial["site_legal_rep"] == ent.legal_representative and initial["site_area_type"] == "城市"
    assert initial["stage"] == "catering" and initial["category"] == task.category_id
    assert initial["sampler_1"] == "王抽样"
    assert initial["site_phone"] == ""  # a sampler may not read the registry's phone (PII-01)
    assert sample_initial(task, actor=city_staff)["site_phone"] == ent.contact_phone


# ---------------------------------------------------------------------------- the phone form, as a browser posts
def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_form_page_is_prefilled(world, task):
    response = _client(world.sampler).get(reverse("sampling:sample_create", args=[task.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert task.enterprise.name in html and 'value="王抽样"' in html
    assert 'id="sec-backup"' in html and "<details" in html  # collapsible sections
    assert 'lang="zh-Hans"' in html and "<script>" not in html


def test_form_posted_the_browser_way_saves_and_redirects(world, task):
    response = _client(world.sampler).post(reverse("sampling:sample_create", args=[task.pk]), world.form_data())
    sample = Sample.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sampling:sample_detail", args=[sample.pk])
    assert sample.producer_name == "" and sample.unit_price is None and sample.imported is False


def test_form_with_errors_answers_400_with_the_messages_beside_the_fields(world, task):
    data = world.form_data(sampler_2="", backup_sealed_by_site=None, production_date="2999-01-01")
    response = _client(world.sampler).post(reverse("sampling:sample_create", args=[task.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写至少 2 名抽样人员的姓名" in html
    assert "备份样品须由被抽样单位在封条上签字确认" in html
    assert "生产日期不能晚于今天" in html
    assert 'href="#sec-samplers"' in html and 'href="#sec-backup"' in html  # the summary links to the sections
    assert 'value="王抽样"' in html  # what was typed is kept
    _no_sample_written(task)


def test_form_of_another_organisation_task_is_404_and_lab_staff_403(world, task, reference):
    assert (
        _client(make_user("sampler_b", "sampler")).get(reverse("sampling:sample_create", args=[task.pk])).status_code
        == 404
    )
    assert _client(world.lab_user).get(reverse("sampling:sample_create", args=[task.pk])).status_code == 403
