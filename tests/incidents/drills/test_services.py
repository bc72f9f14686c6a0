"""Services of emergency plans and drills: who may write where, version numbering and immutability, and the drill
validation (Chinese messages naming the field; nothing written on refusal)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.incidents.drills import services
from apps.incidents.models import Drill, DrillAttachment, EmergencyPlan, PlanVersion

from .helpers import docx_bytes, drill_data, make_drill, make_plan, pdf_bytes, png_bytes, today, upload

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ plans
def test_city_staff_create_the_city_plan_township_staff_their_own(city_staff, staff_a, township_a, township_b):
    city = make_plan(city_staff)
    assert city.level == "city" and city.township is None
    own = make_plan(staff_a, township=township_a, title="硖石街道食品安全事故应急预案")
    assert own.township == township_a
    with pytest.raises(ValidationFailed) as exc:
        make_plan(staff_a, township=township_b, title="许村镇预案")
    assert exc.value.fields == {"township": ["只能登记本镇街的预案"]}
    with pytest.raises(ValidationFailed) as exc:
        make_plan(staff_a)  # a city plan
    assert "市局" in exc.value.message
    with pytest.raises(ValidationFailed):
        make_plan(city_staff, township=township_a)  # city staff do not write township plans
    assert EmergencyPlan.objects.count() == 2
    assert AuditEvent.objects.filter(action="incidents.plan_create").count() == 2


def test_leaders_cannot_write(leader):
    with pytest.raises(PermissionDenied):
        make_plan(leader)


def test_level_and_township_must_agree(city_staff, township_a):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_create(
            actor=city_staff, data={"title": "x", "level": "city", "township": township_a, "owner_department": "y"}
        )
    assert "township" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.plan_create(actor=city_staff, data={"title": "", "level": "", "owner_department": ""})
    assert "title" in exc.value.fields


def test_versions_are_numbered_when_issued_and_the_latest_is_current(city_staff):
    plan = make_plan(city_staff, versions=2)
    numbers = list(plan.versions.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]
    assert services.current_version(plan).number == 2
    draft = services.plan_version_upload(
        actor=city_staff,
        plan_id=plan.pk,
        data={"issued_on": today(), "summary": "第三次修订"},
        document=upload("plan.docx", docx_bytes()),
    )
    assert draft.number is None and draft.content_type.endswith("wordprocessingml.document")
    assert services.current_version(plan).number == 2  # a draft is not current
    issued = services.plan_version_issue(actor=city_staff, version_id=draft.pk)
    assert issued.number == 3 and services.current_version(plan).pk == issued.pk
    with pytest.raises(Conflict):
        services.plan_version_issue(actor=city_staff, version_id=draft.pk)
    event = AuditEvent.objects.filter(action="incidents.plan_version_issue").latest("id")
    assert event.extra["number"] == 3 and event.extra["supersedes"] == 2


def test_a_new_upload_replaces_the_unissued_draft(city_staff):
    plan = make_plan(city_staff)
    first = services.plan_version_upload(
        actor=city_staff,
        plan_id=plan.pk,
        data={"issued_on": today(), "summary": "a"},
        document=upload("a.pdf", pdf_bytes()),
    )
    second = services.plan_version_upload(
        actor=city_staff,
        plan_id=plan.pk,
        data={"issued_on": today(), "summary": "b"},
        document=upload("b.pdf", pdf_bytes()),
    )
    assert list(plan.versions.values_list("pk", flat=True)) == [second.pk]
    assert not PlanVersion.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize(
    "data,name,content,field",
    [
        ({"issued_on": "", "summary": "x"}, "a.pdf", pdf_bytes(), "issued_on"),
        ({"issued_on": "2026-13-01", "summary": "x"}, "a.pdf", pdf_bytes(), "issued_on"),
        ({"issued_on": "2099-01-01", "summary": "x"}, "a.pdf", pdf_bytes(), "issued_on"),
        ({"issued_on": "2020-01-01", "summary": ""}, "a.pdf", pdf_bytes(), "summary"),
        ({"issued_on": "2020-01-01", "summary": "x"}, "a.png", png_bytes(), "document"),
        ({"issued_on": "2020-01-01", "summary": "x"}, "a.exe", b"MZ\x90\x00", "document"),
    ],
    ids=["no-date", "bad-date", "future", "no-summary", "image", "unknown"],
)
def test_a_version_upload_is_refused_in_chinese(city_staff, data, name, content, field):
    plan = make_plan(city_staff)
    with pytest.raises(ValidationFailed) as exc:
        services.plan_version_upload(actor=city_staff, plan_id=plan.pk, data=data, document=upload(name, content))
    assert field in exc.value.fields
    assert not plan.versions.exists()


def test_a_version_may_not_predate_the_current_one(city_staff):
    plan = make_plan(city_staff, versions=1)
    current = services.current_version(plan)
    with pytest.raises(ValidationFailed) as exc:
        services.plan_version_upload(
            actor=city_staff,
            plan_id=plan.pk,
            data={"issued_on": current.issued_on - dt.timedelta(days=1), "summary": "x"},
            document=upload("a.pdf", pdf_bytes()),
        )
    assert "不能早于现行第 1 版" in exc.value.message


def test_the_document_is_size_capped(city_staff, settings):
    settings.DRILLS_PLAN_DOCUMENT_MAX_BYTES = 1024 * 1024
    plan = make_plan(city_staff)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(ValidationFailed) as exc:
        services.plan_version_upload(
            actor=city_staff,
            plan_id=plan.pk,
            data={"issued_on": today(), "summary": "x"},
            document=upload("a.pdf", big),
        )
    assert exc.value.code == "too_large" and "不能超过 1 MB" in exc.value.message


def test_township_staff_cannot_revise_the_city_plan_or_see_another_townships(city_staff, staff_a, staff_b, township_b):
    city = make_plan(city_staff)
    theirs = make_plan(staff_b, township=township_b, title="许村镇预案")
    data = {"issued_on": today(), "summary": "x"}
    with pytest.raises(ValidationFailed):
        services.plan_version_upload(actor=staff_a, plan_id=city.pk, data=data, document=upload("a.pdf", pdf_bytes()))
    with pytest.raises(OutOfScope):
        services.plan_version_upload(actor=staff_a, plan_id=theirs.pk, data=data, document=upload("a.pdf", pdf_bytes()))


# ------------------------------------------------------------------------------------------------ drills
def test_a_drill_is_recorded_with_attachments(staff_a, township_a, city_staff):
    plan = make_plan(city_staff)
    drill = services.drill_create(
        actor=staff_a,
        data=drill_data(township_a, plan=plan.pk),
        files=[upload("p.png", png_bytes()), upload("总结.pdf", pdf_bytes())],
    )
    assert drill.township == township_a and drill.plan == plan and drill.created_by == staff_a
    names = sorted(drill.attachments.values_list("original_name", flat=True))
    assert names == ["p.png", "总结.pdf"]
    assert set(drill.attachments.values_list("content_type", flat=True)) == {"image/png", "application/pdf"}
    assert AuditEvent.objects.filter(action="incidents.drill_create", object_id=str(drill.pk)).count() == 1


def test_city_staff_record_city_level_drills(city_staff):
    drill = make_drill(city_staff, None)
    assert drill.township is None


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"date": dt.date(2099, 1, 1)}, "date", "演练日期不能晚于今天"),
        ({"date": ""}, "date", "请填写演练日期"),
        ({"participant_count": 0}, "participant_count", "参演人数至少为 1 人"),
        ({"participant_count": -3}, "participant_count", "参演人数至少为 1 人"),
        ({"participant_count": ""}, "participant_count", "请填写参演人数"),
        ({"scenario": "  "}, "scenario", "请填写演练情景"),
        ({"kind": "party"}, "kind", "请选择演练形式"),
    ],
    ids=["future", "no-date", "zero", "negative", "empty-count", "no-scenario", "bad-kind"],
)
def test_drill_validation_in_chinese(staff_a, township_a, overrides, field, message):
    with pytest.raises(ValidationFailed) as exc:
        make_drill(staff_a, township_a, **overrides)
    assert field in exc.value.fields and message in exc.value.message
    assert not Drill.objects.exists()


def test_a_plan_of_another_township_is_refused(staff_a, staff_b, township_a, township_b, city_staff):
    theirs = make_plan(staff_b, township=township_b, title="许村镇预案")
    own = make_plan(staff_a, township=township_a, title="硖石街道预案")
    with pytest.raises(ValidationFailed) as exc:
        make_drill(city_staff, township_a, plan=theirs.pk)
    assert exc.value.fields["plan"] == ["所选预案属于其他镇街：请选择市级预案或本镇街的预案"]
    with pytest.raises(ValidationFailed):
        make_drill(city_staff, None, plan=own.pk)  # a city drill on a township plan
    with pytest.raises(ValidationFailed) as exc:
        make_drill(staff_a, township_a, plan=theirs.pk)  # not even visible to staff_a
    assert "plan" in exc.value.fields
    assert make_drill(staff_a, township_a, plan=own.pk).plan == own
    assert not Drill.objects.exclude(plan=own).exists()


def test_township_staff_record_only_their_townships_drills(staff_a, township_b):
    with pytest.raises(ValidationFailed) as exc:
        make_drill(staff_a, township_b)
    assert exc.value.fields == {"township": ["只能登记本镇街的演练"]}
    with pytest.raises(ValidationFailed):
        make_drill(staff_a, None)


def test_an_unknown_or_oversize_attachment_refuses_the_whole_drill(staff_a, township_a, settings):
    with pytest.raises(ValidationFailed) as exc:
        services.drill_create(
            actor=staff_a, data=drill_data(township_a), files=[upload("a.png", png_bytes()), upload("x.exe", b"MZ\x90")]
        )
    assert "files" in exc.value.fields and "只能是" in exc.value.message
    settings.DRILLS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as exc:
        services.drill_create(
            actor=staff_a, data=drill_data(township_a), files=[upload("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))]
        )
    assert exc.value.code == "too_large"
    assert not Drill.objects.exists() and not DrillAttachment.objects.exists()


def test_update_and_attachment_add(staff_a, staff_b, township_a):
    drill = make_drill(staff_a, township_a)
    services.drill_update(actor=staff_a, drill_id=drill.pk, data=drill_data(township_a, participant_count=40))
    drill.refresh_from_db()
    assert drill.participant_count == 40
    event = AuditEvent.objects.get(action="incidents.drill_update")
    assert event.changes == {"participant_count": ["25", "40"]}
    stored = services.drill_attachment_add(actor=staff_a, drill_id=drill.pk, files=[upload("a.png", png_bytes())])
    assert len(stored) == 1 and drill.attachments.count() == 1
    with pytest.raises(OutOfScope):
        services.drill_update(actor=staff_b, drill_id=drill.pk, data=drill_data(township_a))
    with pytest.raises(ValidationFailed):
        services.drill_attachment_add(actor=staff_a, drill_id=drill.pk, files=[])
