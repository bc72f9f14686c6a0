"""Registry pages: the scoped contract (list/detail/forms), writes through services, history, 390 px-safe markup."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.models import AuditEvent
from apps.enterprises import services
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import BusinessType, Enterprise
from tests.factories import EnterpriseFactory, LicenceFactory
from tests.helpers.queries import assert_constant_queries

LIST = reverse("enterprises:list")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {ent.pk for ent in response.context["page"].object_list}


# ------------------------------------------------------------------------------------------------ scoped contract
def test_anonymous_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_without_view_permission_is_403(user_without_perms):
    assert browser(user_without_perms).get(LIST).status_code == 403


def test_list_and_count_show_own_township_only(staff_a, township_a, township_b):
    mine = [EnterpriseFactory(township=township_a) for _ in range(3)]
    theirs = EnterpriseFactory(township=township_b)
    response = browser(staff_a).get(LIST)
    assert listed(response) == {e.pk for e in mine}
    assert response.context["page"].paginator.count == 3
    assert theirs.name not in response.content.decode()
    # a foreign township in the query string filters to nothing, it does not widen the scope
    assert listed(browser(staff_a).get(LIST, {"township": township_b.pk})) == set()


def _form_as_submitted(response, **values) -> dict:
    """Every field of the rendered filter form, as a browser submits it: the untouched ones empty."""
    form = response.context["form"]
    data = {name: "" for name in form.fields}
    data.update(values)
    return data


def test_untouched_filter_form_lists_the_same_rows_as_no_filter(staff_a, township_a):
    """Issue 8.1: the browser submits ?q=&township=&business_type__code=&status=&licence_kind=… — it used to be 0."""
    rows = [EnterpriseFactory(township=township_a, name=f"乡味小吃{i}") for i in range(2)]
    other = EnterpriseFactory(
        township=township_a, name="海宁面馆", status=EnterpriseStatus.SUSPENDED, deactivated_at=timezone.now()
    )
    client = browser(staff_a)
    plain = client.get(LIST)
    submitted = client.get(LIST, _form_as_submitted(plain))
    assert listed(submitted) == listed(plain) == {*(e.pk for e in rows), other.pk}
    assert not submitted.context["filter_errors"] and "（已筛选）" not in submitted.content.decode()
    assert listed(client.get(LIST, _form_as_submitted(plain, q="乡味"))) == {e.pk for e in rows}
    assert listed(client.get(LIST, _form_as_submitted(plain, status=EnterpriseStatus.SUSPENDED))) == {other.pk}


def test_detail_and_edit_of_other_township_are_404(staff_a, township_b):
    theirs = EnterpriseFactory(township=township_b)
    client = browser(staff_a)
    for name in ("detail", "edit", "deactivate", "licence_add"):
        assert client.get(reverse(f"enterprises:{name}", args=[theirs.pk])).status_code == 404
    before = Enterprise.objects.filter(pk=theirs.pk).values().get()
    client.post(
        reverse("enterprises:deactivate", args=[theirs.pk]), {"status": "cancelled", "reason": "x", "version": 1}
    )
    client.post(reverse("enterprises:reactivate", args=[theirs.pk]))
    assert Enterprise.objects.filter(pk=theirs.pk).values().get() == before


def test_city_staff_sees_all_townships(city_staff, township_a, township_b):
    both = {EnterpriseFactory(township=township_a).pk, EnterpriseFactory(township=township_b).pk}
    assert listed(browser(city_staff).get(LIST)) == both


def test_list_page_query_count_is_constant(staff_a, township_a):
    client = browser(staff_a)

    def add(n):
        for _ in range(n):
            LicenceFactory(enterprise=EnterpriseFactory(township=township_a))

    assert_constant_queries(fetch=lambda: client.get(LIST), add_rows=add)


def test_filters_on_the_page(staff_a, township_a):
    school = EnterpriseFactory(
        township=township_a, business_type=BusinessType.objects.get(code="school_canteen"), sunshine_kitchen=True
    )
    EnterpriseFactory(township=township_a, name="海宁市硖石便民超市")
    client = browser(staff_a)
    assert listed(client.get(LIST, {"business_type__code": "canteen"})) == {school.pk}
    assert listed(client.get(LIST, {"sunshine_kitchen": "true"})) == {school.pk}
    bad = client.get(LIST, {"licence_expires_before": "not-a-date"})
    assert bad.status_code == 200 and bad.context["filter_errors"]


# ------------------------------------------------------------------------------------------------ writes
def create_form(township, **extra):
    return {
        "name": "海宁市硖石张记面馆",
        "uscc": "91330481123456788A",
        "township": township.pk,
        "business_type": BusinessType.objects.get(code="catering").pk,
        "scale": "small",
        "area_type": "urban",
        "health_cert_count": 3,
        **extra,
    }


def test_create_page_limits_township_to_own(staff_a, township_a, township_b):
    client = browser(staff_a)
    form = client.get(reverse("enterprises:create")).context["form"]
    assert list(form.fields["township"].queryset) == [township_a]
    response = client.post(reverse("enterprises:create"), create_form(township_b))
    assert response.status_code == 200 and "township" in response.context["form"].errors
    assert not Enterprise.objects.exists()
    response = client.post(reverse("enterprises:create"), create_form(township_a))
    ent = Enterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:detail", args=[ent.pk])
    assert ent.township == township_a and ent.created_by == staff_a


def test_create_page_shows_check_character_warning_until_a_reason_is_given(staff_a, township_a):
    client = browser(staff_a)
    response = client.post(reverse("enterprises:create"), create_form(township_a, uscc="91330481123456788B"))
    assert "例外说明" in " ".join(response.context["form"].errors["uscc"])
    response = client.post(
        reverse("enterprises:create"),
        create_form(township_a, uscc="91330481123456788B", uscc_override_reason="证照原件如此"),
    )
    assert response.status_code == 302
    assert Enterprise.objects.get().uscc_override_reason == "证照原件如此"


def test_edit_with_stale_version_is_refused(staff_a, township_a):
    ent = services.enterprise_create(
        actor=staff_a, data={"name": "甲", "township": township_a, "business_type": "catering"}
    )
    client = browser(staff_a)
    form = client.get(reverse("enterprises:edit", args=[ent.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="乙", business_type=ent.business_type_id, food_categories=[], brand_tags=[])
    services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": "别人改的"})  # version 2
    response = client.post(reverse("enterprises:edit", args=[ent.pk]), data)
    assert response.status_code == 200 and response.context["stale"]
    assert "已被他人修改" in response.content.decode()
    ent.refresh_from_db()
    assert ent.name == "别人改的" and ent.version == 2
    data["version"] = 2
    assert client.post(reverse("enterprises:edit", args=[ent.pk]), data).status_code == 302
    ent.refresh_from_db()
    assert ent.name == "乙" and ent.version == 3


def test_deactivate_page_and_history(staff_a, township_a):
    ent = services.enterprise_create(
        actor=staff_a, data={"name": "甲", "township": township_a, "business_type": "catering"}
    )
    client = browser(staff_a)
    response = client.post(
        reverse("enterprises:deactivate", args=[ent.pk]), {"status": "suspended", "reason": "店面装修", "version": 1}
    )
    assert response.status_code == 302
    ent.refresh_from_db()
    assert ent.status == EnterpriseStatus.SUSPENDED
    page = client.get(reverse("enterprises:detail", args=[ent.pk]))
    html = page.content.decode()
    assert [item["label"] for item in page.context["history"]] == ["停业/注销", "新建"]
    assert "原因：店面装修" in html and "营业</del> → <ins>停业" in html
    client.post(reverse("enterprises:reactivate", args=[ent.pk]), {"version": 2})
    ent.refresh_from_db()
    assert ent.status == EnterpriseStatus.OPERATING


def test_licence_pages(staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    client = browser(staff_a)
    response = client.post(
        reverse("enterprises:licence_add", args=[ent.pk]),
        {
            "kind": "JY",
            "number": "JY23304810001231",
            "issued_on": "2024-01-01",
            "expires_on": "2028-12-31",
            "version": 1,
        },
    )
    assert response.status_code == 302
    lic = ent.licences.get()
    assert "ISO 7064" in lic.check_warning  # wrong check digit: saved with a warning
    bad = client.post(
        reverse("enterprises:licence_add", args=[ent.pk]), {"kind": "JY", "number": "JY233", "version": 2}
    )
    assert bad.status_code == 200 and bad.context["form"].errors["number"]
    client.post(reverse("enterprises:licence_deactivate", args=[ent.pk, lic.pk]), {"version": 2})
    lic.refresh_from_db()
    assert not lic.is_active
    assert AuditEvent.objects.filter(action="enterprise.licence_deactivate", object_id=str(ent.pk)).exists()


@pytest.mark.parametrize("role", ["inspector_a", "leader"])
def test_read_only_roles(role, request, township_a):
    user = request.getfixturevalue(role)
    ent = EnterpriseFactory(township=township_a, contact_phone="13812345678")
    client = browser(user)
    detail = client.get(reverse("enterprises:detail", args=[ent.pk]))
    assert detail.status_code == 200 and not detail.context["can_change"]
    assert "编辑" not in detail.content.decode()
    for name in ("edit", "deactivate", "licence_add"):
        assert client.get(reverse(f"enterprises:{name}", args=[ent.pk])).status_code == 403
    assert client.get(reverse("enterprises:create")).status_code == 403
    assert client.get(reverse("enterprises:export")).status_code == 403
    phone = "138****5678" if role == "leader" else "13812345678"
    assert phone in detail.content.decode()


def test_nav_entry_is_shown(staff_a):
    html = browser(staff_a).get(LIST).content.decode()
    assert f'href="{LIST}"' in html and "检查对象名录" in html


def test_history_masks_phone_numbers_for_roles_without_the_permission(staff_a, leader, township_a):
    ent = services.enterprise_create(
        actor=staff_a,
        data={"name": "甲", "township": township_a, "business_type": "catering", "contact_phone": "13812345678"},
    )
    services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"contact_phone": "13987654321"})
    url = reverse("enterprises:detail", args=[ent.pk])
    staff_html = browser(staff_a).get(url).content.decode()
    leader_html = browser(leader).get(url).content.decode()
    assert "13812345678" in staff_html and "13987654321" in staff_html
    assert "13812345678" not in leader_html and "13987654321" not in leader_html
    assert "138****5678" in leader_html and "139****4321" in leader_html


# ------------------------------------------------------------------------------------------------ records that link up
def test_detail_shows_risk_grade_and_inspection_records_contributed_by_their_apps(city_staff, township_a):
    """Issue 8 point 3: the grade links to the risk card, tasks link to their pages — and enterprises imports neither
    app (the sections come from apps.common.sections, filled in the risk and inspections AppConfig.ready)."""
    import pathlib
    import re

    from apps.risk import services as risk_services
    from tests.inspections.factories import make_task

    ent = EnterpriseFactory(township=township_a)
    assessment = risk_services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff)
    task = make_task(ent)
    html = browser(city_staff).get(reverse("enterprises:detail", args=[ent.pk])).content.decode()
    assert 'id="section-risk"' in html and f'href="/risk/enterprises/{ent.pk}/"' in html
    assert f"{assessment.grade} 级" in html and "检查频次" in html
    assert 'id="section-inspections"' in html and f'href="/inspections/tasks/{task.pk}/"' in html
    assert task.number in html and "暂无整改记录" in html and "暂无公示记录" in html
    source = "\n".join(p.read_text() for p in pathlib.Path("apps/enterprises").rglob("*.py"))
    assert not re.search(r"^\s*(from|import) apps\.(risk|inspections)", source, re.M)


def test_detail_sections_respect_permissions(user_without_perms, staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    html = browser(staff_a).get(reverse("enterprises:detail", args=[ent.pk])).content.decode()
    assert 'id="section-risk"' in html and "尚未评定风险等级" in html


def test_detail_query_count_does_not_grow_with_records(city_staff, township_a):
    from tests.inspections.factories import make_task

    ent = EnterpriseFactory(township=township_a)
    client = browser(city_staff)
    assert_constant_queries(
        fetch=lambda: client.get(reverse("enterprises:detail", args=[ent.pk])),
        add_rows=lambda n: [make_task(ent) for _ in range(n)],
    )
