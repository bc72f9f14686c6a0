"""Organisations (抽样机构 / 检验机构): city staff list, add and edit them with members, through the audited services;
a valid USCC; only labs on the 复检 list; nobody in a sampling organisation and a lab at once."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.common.exceptions import ValidationFailed
from apps.common.models import AuditEvent
from apps.enterprises.identifiers import make_uscc
from apps.sampling.fieldwork.services.organisations import organisation_create, organisation_update
from apps.sampling.models import Organisation
from tests.conftest import make_user
from tests.factories import sampling as factories
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def _data(**kw):
    data = {"name": "海宁新抽样公司", "kind": "sampler", "uscc": make_uscc("91330481", "XCYG0001"), "address": "海宁市"}
    data.update(kw)
    return data


def test_create_and_update_are_audited(city_staff, reference):
    sampler = make_user("s1", "sampler")
    org = organisation_create(actor=city_staff, data={**_data(), "members": [sampler.pk]})
    assert list(org.members.all()) == [sampler]
    assert AuditEvent.objects.get(action="sampling.organisation_create").extra["members"] == ["s1"]
    organisation_update(actor=city_staff, organisation_id=org.pk, data={"phone": "0573-1", "members": []})
    event = AuditEvent.objects.get(action="sampling.organisation_update")
    assert event.changes["phone"] == ["", "0573-1"] and event.changes["members"] == [["s1"], []]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "organiser"}, "kind"),
        ({"uscc": "91330481MA2XXXXXX1"}, "uscc"),
        ({"uscc": "123"}, "uscc"),
        ({"is_recheck_lab": True}, "is_recheck_lab"),
    ],
)
def test_bad_input_names_the_field(city_staff, reference, data, field):
    with pytest.raises(ValidationFailed) as exc:
        organisation_create(actor=city_staff, data=_data(**data))
    assert field in exc.value.fields
    assert not Organisation.objects.exists()


def test_nobody_belongs_to_a_sampler_and_a_lab(city_staff, reference):
    person = make_user("both", "sampler")
    organisation_create(actor=city_staff, data={**_data(), "members": [person.pk]})
    with pytest.raises(ValidationFailed, match="抽检分离"):
        organisation_create(
            actor=city_staff,
            data=_data(name="某检验所", kind="lab", uscc=make_uscc("12330481", "JYGX0002"), members=[person.pk]),
        )


def test_kind_is_fixed_once_tasks_exist(city_staff, reference):
    task = factories.SamplingTaskFactory()
    with pytest.raises(Exception, match="不能更改类型"):
        organisation_update(actor=city_staff, organisation_id=task.sampling_org_id, data={"kind": "lab"})


def test_pages_list_add_and_edit(city_staff, reference):
    client = Client()
    client.force_login(city_staff)
    lab_person = make_user("lab_person", "lab_staff")
    page = client.get(reverse("sampling:organisation_create") + "?kind=lab")
    assert page.status_code == 200 and "lab_person" in page.content.decode()
    post = {
        "name": "海宁某检验所",
        "kind": "lab",
        "uscc": make_uscc("12330481", "JYGX0003"),
        "address": "",
        "contact_person": "",
        "phone": "",
        "email": "",
        "is_recheck_lab": "on",
        "is_active": "on",
        "members": [str(lab_person.pk)],
    }
    assert client.post(reverse("sampling:organisation_create"), post).status_code == 302
    org = Organisation.objects.get(name="海宁某检验所")
    assert org.is_recheck_lab and list(org.members.all()) == [lab_person]
    bad = client.post(reverse("sampling:organisation_edit", args=[org.pk]), {**post, "uscc": "123"})
    assert bad.status_code == 400 and "统一社会信用代码应为 18 位" in bad.content.decode()
    listing = client.get(reverse("sampling:organisation_list"), {"kind": "", "q": ""})
    assert "海宁某检验所" in listing.content.decode()


def test_list_constant_queries_and_permission(city_staff, staff_a, reference):
    client = Client()
    client.force_login(staff_a)
    assert client.get(reverse("sampling:organisation_list")).status_code == 403
    client.force_login(city_staff)
    assert_constant_queries(
        fetch=lambda: client.get(reverse("sampling:organisation_list")),
        add_rows=lambda n: [factories.OrganisationFactory() for _ in range(n)],
    )
