"""Write services of the registry: identifiers, versions, status changes, licences, bulk upsert."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import InvalidTransition, PreconditionFailed, ValidationFailed
from apps.common.models import AuditEvent
from apps.enterprises import services
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.identifiers import make_licence_number
from apps.enterprises.models import Enterprise, Licence
from tests.factories import EnterpriseFactory, LicenceFactory

VALID = "91330481123456788A"
BAD_CHECK = "91330481123456788B"  # pos. 18 should be A


def base_data(township, **extra):
    return {"name": "海宁市硖石张记面馆", "township": township, "business_type": "catering", **extra}


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# ------------------------------------------------------------------------------------------------ create
def test_create_normalises_uscc_and_audits(staff_a, township_a):
    ent = services.enterprise_create(
        actor=staff_a, data=base_data(township_a, uscc=" ９１３３０４８１１２３４５６７８８ａ ")
    )
    assert ent.uscc == VALID
    assert ent.version == 1 and ent.status == EnterpriseStatus.OPERATING
    assert ent.created_by == staff_a
    [event] = events("enterprise.create")
    assert event.object_id == str(ent.pk) and event.actor_id == staff_a.pk
    assert event.changes["after"]["uscc"] == VALID


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("9133048112345678", "18 位"),
        ("91330481I23456788A", "非法字符"),
        ("913304O1123456788A", "非法字符"),
        ("91AB0481123456788A", "行政区划"),
    ],
)
def test_shape_and_alphabet_errors_are_refused(staff_a, township_a, code, fragment):
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(actor=staff_a, data=base_data(township_a, uscc=code, uscc_override_reason="确认"))
    assert any(fragment in m for m in exc.value.fields["uscc"])
    assert not Enterprise.objects.exists()


def test_check_character_mismatch_needs_a_reason_which_is_recorded(staff_a, township_a):
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(actor=staff_a, data=base_data(township_a, uscc=BAD_CHECK))
    assert "例外说明" in exc.value.fields["uscc"][0]
    assert not Enterprise.objects.exists()

    ent = services.enterprise_create(
        actor=staff_a, data=base_data(township_a, uscc=BAD_CHECK, uscc_override_reason="营业执照原件如此，已电话核实")
    )
    assert ent.uscc == BAD_CHECK
    assert "第 18 位校验码应为 A" in ent.uscc_warning
    assert ent.uscc_override_reason == "营业执照原件如此，已电话核实"
    [event] = events("enterprise.create")
    assert event.extra["uscc_override_reason"] == "营业执照原件如此，已电话核实"
    assert "第 18 位" in event.extra["uscc_warning"]


def test_inner_org_check_mismatch_is_a_warning_too(staff_a, township_a):
    # change pos. 17 and recompute pos. 18, so only the GB 11714 inner check fails
    from apps.enterprises.identifiers import uscc_check_char

    first17 = "9133048112345678" + "7"
    code = first17 + uscc_check_char(first17)
    with pytest.raises(ValidationFailed):
        services.enterprise_create(actor=staff_a, data=base_data(township_a, uscc=code))
    ent = services.enterprise_create(actor=staff_a, data=base_data(township_a, uscc=code, uscc_override_reason="核实"))
    assert "第 17 位" in ent.uscc_warning


def test_duplicate_uscc_is_refused_even_across_townships(staff_a, township_a, township_b):
    EnterpriseFactory(township=township_b, uscc=VALID)
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(actor=staff_a, data=base_data(township_a, uscc=VALID))
    assert "已登记" in exc.value.fields["uscc"][0]


def test_township_outside_scope_is_refused(staff_a, township_b):
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(actor=staff_a, data=base_data(township_b))
    assert "管辖范围" in exc.value.fields["township"][0]
    assert not Enterprise.objects.exists()


def test_inspector_and_leader_cannot_write(inspector_a, leader, township_a):
    for actor in (inspector_a, leader):
        with pytest.raises(PermissionDenied):
            services.enterprise_create(actor=actor, data=base_data(township_a))


def test_cross_field_rules(staff_a, township_a):
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(
            actor=staff_a,
            data=base_data(township_a, sunshine_kitchen_online=True, responsibility_list_date="2024-01-01"),
        )
    assert set(exc.value.fields) == {"sunshine_kitchen_online", "responsibility_list_date"}


def test_licences_on_create_shape_refused_check_digit_warns(staff_a, township_a):
    good = make_licence_number("JY", "2330481000123")
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_create(
            actor=staff_a, data=base_data(township_a), licences=[{"kind": "JY", "number": "JY2330481"}]
        )
    assert "licences[0].number" in exc.value.fields
    assert not Enterprise.objects.exists()
    ent = services.enterprise_create(
        actor=staff_a,
        data=base_data(township_a),
        licences=[{"kind": "JY", "number": wrong_check, "issued_on": "2024-01-01", "expires_on": "2028-12-31"}],
    )
    [lic] = ent.licences.all()
    assert lic.number == wrong_check and "ISO 7064" in lic.check_warning


# ------------------------------------------------------------------------------------------------ update
def test_update_with_stale_version_is_refused_and_changes_nothing(staff_a, township_a):
    ent = services.enterprise_create(actor=staff_a, data=base_data(township_a))
    services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": "新名称"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": "过期的修改"}, expected_version=1)
    ent.refresh_from_db()
    assert ent.name == "新名称" and ent.version == 2
    [event] = events("enterprise.update")
    assert event.changes["name"] == ["海宁市硖石张记面馆", "新名称"]
    assert event.changes["version"] == [1, 2]


def test_update_without_changes_keeps_the_version(staff_a, township_a):
    ent = services.enterprise_create(actor=staff_a, data=base_data(township_a))
    services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": ent.name}, expected_version=1)
    ent.refresh_from_db()
    assert ent.version == 1
    assert not events("enterprise.update")


def test_update_cannot_move_township(staff_a, city_staff, township_a, township_b):
    ent = EnterpriseFactory(township=township_a)
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_update(actor=city_staff, enterprise_id=ent.pk, data={"township": township_b})
    assert "只能在新建时" in exc.value.fields["township"][0]


def test_update_of_other_township_row_does_not_exist(staff_a, township_b):
    theirs = EnterpriseFactory(township=township_b)
    with pytest.raises(Enterprise.DoesNotExist):
        services.enterprise_update(actor=staff_a, enterprise_id=theirs.pk, data={"name": "x"})
    theirs.refresh_from_db()
    assert theirs.version == 1 and theirs.name != "x"


# ------------------------------------------------------------------------------------------------ status
def test_deactivate_and_reactivate(staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    LicenceFactory(enterprise=ent)
    with pytest.raises(ValidationFailed):
        services.enterprise_deactivate(actor=staff_a, enterprise_id=ent.pk, status="suspended", reason="")
    ent = services.enterprise_deactivate(actor=staff_a, enterprise_id=ent.pk, status="停业", reason="装修停业")
    assert ent.status == EnterpriseStatus.SUSPENDED and ent.deactivated_at and ent.version == 2
    ent = services.enterprise_reactivate(actor=staff_a, enterprise_id=ent.pk, reason="装修完成")
    assert ent.status == EnterpriseStatus.OPERATING and ent.deactivated_at is None
    ent = services.enterprise_deactivate(actor=staff_a, enterprise_id=ent.pk, status="cancelled", reason="注销登记")
    assert not ent.licences.filter(is_active=True).exists()
    with pytest.raises(InvalidTransition):
        services.enterprise_reactivate(actor=staff_a, enterprise_id=ent.pk)
    with pytest.raises(InvalidTransition):
        services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": "x"})
    assert [e.extra["reason"] for e in events("enterprise.deactivate")] == ["装修停业", "注销登记"]


# ------------------------------------------------------------------------------------------------ licences
def test_licence_writes_bump_the_enterprise_version(staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    number = make_licence_number("JY", "2330481000777")
    lic = services.licence_add(
        actor=staff_a, enterprise_id=ent.pk, data={"kind": "JY", "number": number}, expected_version=1
    )
    ent.refresh_from_db()
    assert ent.version == 2
    services.licence_update(actor=staff_a, licence_id=lic.pk, data={"expires_on": dt.date(2030, 1, 1)})
    services.licence_deactivate(actor=staff_a, licence_id=lic.pk, expected_version=3)
    ent.refresh_from_db()
    assert ent.version == 4
    assert [
        e.action
        for e in AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(ent.pk)).order_by("seq")
    ] == [
        "enterprise.licence_add",
        "enterprise.licence_update",
        "enterprise.licence_deactivate",
    ]
    with pytest.raises(ValidationFailed):  # the same number again
        services.licence_add(actor=staff_a, enterprise_id=ent.pk, data={"kind": "JY", "number": number})


def test_licence_of_other_township_does_not_exist(staff_a, township_b):
    lic = LicenceFactory(enterprise=EnterpriseFactory(township=township_b))
    with pytest.raises(Licence.DoesNotExist):
        services.licence_deactivate(actor=staff_a, licence_id=lic.pk)
