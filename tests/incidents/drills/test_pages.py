"""Pages by role: the plan list and detail, the version upload → preview → confirmed issue, the drill list,
create (as a browser submits it, empty fields included), edit, attachment upload and download, and the export."""

import io

import pytest
from django.urls import reverse

from apps.incidents.models import Drill, PlanVersion

from .helpers import make_drill, make_plan, pdf_bytes, png_bytes, today, upload

pytestmark = pytest.mark.django_db

EMPTY_DRILL_FORM = {
    "date": "",
    "township": "",
    "plan": "",
    "scenario": "",
    "kind": "",
    "participant_count": "",
    "participant_orgs": "",
    "findings": "",
    "improvements": "",
}


def test_anonymous_goes_to_login_and_others_get_403(client, user_without_perms, reference):
    for name in ("incidents:drills", "incidents:plans", "incidents:drill_create"):
        assert client.get(reverse(name)).status_code == 302
    client.force_login(user_without_perms)
    for name in ("incidents:drills", "incidents:plans", "incidents:drill_create"):
        assert client.get(reverse(name)).status_code == 403


def test_leader_views_but_cannot_write(client, leader, city_staff, township_a, staff_a):
    plan = make_plan(city_staff, versions=1)
    drill = make_drill(staff_a, township_a)
    client.force_login(leader)
    assert "登记演练" not in client.get(reverse("incidents:drills")).content.decode()
    assert client.get(reverse("incidents:drill_detail", args=[drill.pk])).status_code == 200
    detail = client.get(reverse("incidents:plan_detail", args=[plan.pk])).content.decode()
    assert "第 1 版" in detail and "上传新版本" not in detail
    assert client.get(reverse("incidents:drill_create")).status_code == 403
    assert client.post(reverse("incidents:drill_edit", args=[drill.pk]), {}).status_code == 403


def test_township_staff_see_their_drills_and_the_city_plan_only(
    client, staff_a, staff_b, city_staff, township_a, township_b
):
    city = make_plan(city_staff, versions=1)
    theirs = make_plan(staff_b, township=township_b, title="许村镇预案")
    mine = make_drill(staff_a, township_a, scenario="本镇演练")
    other = make_drill(staff_b, township_b, scenario="他镇演练")
    client.force_login(staff_a)
    body = client.get(reverse("incidents:drills")).content.decode()
    assert "本镇演练" in body and "他镇演练" not in body
    assert client.get(reverse("incidents:drill_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("incidents:drill_detail", args=[mine.pk])).status_code == 200
    plans = client.get(reverse("incidents:plans")).content.decode()
    assert city.title in plans and "许村镇预案" not in plans
    assert client.get(reverse("incidents:plan_detail", args=[theirs.pk])).status_code == 404
    detail = client.get(reverse("incidents:plan_detail", args=[city.pk])).content.decode()
    assert "上传新版本" not in detail  # the city plan is the city's to revise


def test_create_a_drill_as_a_browser_submits_it(client, staff_a, township_a, city_staff):
    plan = make_plan(city_staff)
    client.force_login(staff_a)
    assert client.get(reverse("incidents:drill_create")).status_code == 200
    empty = client.post(reverse("incidents:drill_create"), EMPTY_DRILL_FORM)
    assert empty.status_code == 400 and "请填写演练日期" in empty.content.decode()
    future = client.post(
        reverse("incidents:drill_create"),
        {**EMPTY_DRILL_FORM, "date": "2099-01-01", "township": township_a.pk, "scenario": "x", "kind": "field",
         "participant_count": "10"},
    )  # fmt: skip
    assert future.status_code == 400 and "演练日期不能晚于今天" in future.content.decode()
    zero = client.post(
        reverse("incidents:drill_create"),
        {**EMPTY_DRILL_FORM, "date": today().isoformat(), "township": township_a.pk, "scenario": "x",
         "kind": "field", "participant_count": "0"},
    )  # fmt: skip
    assert zero.status_code == 400 and "参演人数至少为 1 人" in zero.content.decode()
    assert "x" in zero.content.decode()  # what was typed is shown again
    data = {
        **EMPTY_DRILL_FORM,
        "date": today().isoformat(),
        "township": township_a.pk,
        "plan": plan.pk,
        "scenario": "农村家宴疑似食物中毒",
        "kind": "combined",
        "participant_count": "60",
        "files": [upload("现场.png", png_bytes(), "image/png"), upload("总结.pdf", pdf_bytes())],
    }
    done = client.post(reverse("incidents:drill_create"), data)
    drill = Drill.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("incidents:drill_detail", args=[drill.pk])
    assert drill.attachments.count() == 2 and drill.plan == plan
    detail = client.get(done["Location"]).content.decode()
    assert "农村家宴疑似食物中毒" in detail and "照片与材料（2）" in detail


def test_a_bad_file_on_create_is_a_400_and_nothing_is_written(client, staff_a, township_a):
    client.force_login(staff_a)
    data = {
        **EMPTY_DRILL_FORM,
        "date": today().isoformat(),
        "township": township_a.pk,
        "scenario": "演练",
        "kind": "tabletop",
        "participant_count": "5",
        "files": [upload("a.txt", b"hello")],
    }
    response = client.post(reverse("incidents:drill_create"), data)
    assert response.status_code == 400 and "附件只能是" in response.content.decode()
    assert not Drill.objects.exists()


def test_edit_and_upload_and_download_attachments(client, staff_a, staff_b, township_a):
    drill = make_drill(staff_a, township_a)
    client.force_login(staff_a)
    edit = reverse("incidents:drill_edit", args=[drill.pk])
    assert client.get(edit).status_code == 200
    form = {
        **EMPTY_DRILL_FORM,
        "date": drill.date.isoformat(),
        "township": township_a.pk,
        "scenario": "修改后的情景",
        "kind": "field",
        "participant_count": "33",
    }
    assert client.post(edit, form).status_code == 302
    drill.refresh_from_db()
    assert drill.scenario == "修改后的情景" and drill.participant_count == 33
    add = reverse("incidents:drill_attachment_add", args=[drill.pk])
    refused = client.post(add, {"caption": "", "files": [upload("a.exe", b"MZ\x90\x00")]})
    assert refused.status_code == 400 and "附件只能是" in refused.content.decode()
    assert client.post(add, {"caption": "合影", "files": [upload("a.png", png_bytes())]}).status_code == 302
    att = drill.attachments.get()
    got = client.get(reverse("incidents:drill_attachment", args=[att.pk]))
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff" and b"".join(got.streaming_content) == png_bytes()
    client.force_login(staff_b)
    assert client.get(reverse("incidents:drill_attachment", args=[att.pk])).status_code == 404
    assert client.post(edit, form).status_code == 404


def test_upload_preview_and_confirmed_issue(client, city_staff):
    plan = make_plan(city_staff, versions=1)
    client.force_login(city_staff)
    url = reverse("incidents:plan_version_upload", args=[plan.pk])
    empty = client.post(url, {"issued_on": "", "summary": ""})
    assert empty.status_code == 400 and "请填写印发日期" in empty.content.decode()
    macro = client.post(
        url,
        {"issued_on": today().isoformat(), "summary": "修订", "document": upload("p.docm", _docm())},
    )
    assert macro.status_code == 400 and "含宏" in macro.content.decode()
    sent = client.post(
        url, {"issued_on": today().isoformat(), "summary": "第二次修订", "document": upload("p.pdf", pdf_bytes())}
    )
    draft = PlanVersion.objects.get(plan=plan, number__isnull=True)
    issue = reverse("incidents:plan_version_issue", args=[draft.pk])
    assert sent.status_code == 302 and sent["Location"] == issue
    preview = client.get(issue).content.decode()
    assert "确认签发第 2 版" in preview and "现行第 1 版" in preview and "不能撤销" in preview
    unconfirmed = client.post(issue, {})
    assert unconfirmed.status_code == 302 and PlanVersion.objects.get(pk=draft.pk).number is None
    confirmed = client.post(issue, {"confirm": "yes"})
    assert confirmed.status_code == 302
    assert PlanVersion.objects.get(pk=draft.pk).number == 2
    detail = client.get(reverse("incidents:plan_detail", args=[plan.pk])).content.decode()
    assert "已被取代" in detail and "第 2 版" in detail
    again = client.get(issue)
    assert again.status_code == 302  # an issued version has no preview any more
    doc = client.get(reverse("incidents:plan_version_document", args=[draft.pk]))
    assert doc.status_code == 200 and doc["Content-Disposition"].startswith("attachment")


def _docm():
    from .helpers import DOCM_MAIN, docx_bytes

    return docx_bytes(main_type=DOCM_MAIN)


def test_create_a_plan_page(client, city_staff, staff_a, township_a):
    client.force_login(city_staff)
    empty = client.post(
        reverse("incidents:plan_create"), {"title": "", "level": "", "township": "", "owner_department": ""}
    )
    assert empty.status_code == 400 and "请填写预案名称" in empty.content.decode()
    ok = client.post(
        reverse("incidents:plan_create"),
        {"title": "海宁市食品安全事故应急预案", "level": "city", "township": "", "owner_department": "市市场监管局"},
    )
    assert ok.status_code == 302
    client.force_login(staff_a)
    ok = client.post(
        reverse("incidents:plan_create"),
        {"title": "硖石预案", "level": "township", "township": township_a.pk, "owner_department": "街道食安办"},
    )
    assert ok.status_code == 302


def test_export_is_the_filtered_list(client, city_staff, staff_a, township_a, township_b, staff_b):
    from openpyxl import load_workbook

    make_drill(staff_a, township_a, scenario="甲镇演练")
    make_drill(staff_b, township_b, scenario="乙镇演练")
    client.force_login(city_staff)
    response = client.get(reverse("incidents:drill_export"), {"township": township_a.pk, "q": ""})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "甲镇演练" in values and "乙镇演练" not in values
    client.force_login(staff_a)
    mine = load_workbook(io.BytesIO(client.get(reverse("incidents:drill_export")).content)).worksheets[0]
    assert "乙镇演练" not in [c for row in mine.iter_rows(values_only=True) for c in row if c]


def test_the_large_export_becomes_a_job(client, city_staff, staff_a, township_a, monkeypatch):
    from apps.common.models import Job
    from apps.incidents.drills import views

    monkeypatch.setattr(views.DrillExportView, "sync_max_rows", 1)
    make_drill(staff_a, township_a)
    make_drill(staff_a, township_a)
    client.force_login(city_staff)
    response = client.get(reverse("incidents:drill_export"), {"year": str(today().year)})
    job = Job.objects.get(kind="incidents.drill_export")
    assert response.status_code == 302 and job.payload == {"filters": {"year": [str(today().year)]}}


def test_list_pages_have_a_constant_query_count(client, city_staff, staff_a, township_a):
    from tests.helpers.queries import assert_constant_queries

    client.force_login(city_staff)
    assert_constant_queries(
        fetch=lambda: client.get(reverse("incidents:drills")),
        add_rows=lambda n: [make_drill(staff_a, township_a) for _ in range(n)],
    )
    assert_constant_queries(
        fetch=lambda: client.get(reverse("incidents:plans")),
        add_rows=lambda n: [make_plan(city_staff, title=f"预案{i}", versions=1) for i in range(n)],
    )


def test_the_plan_list_exports_its_filtered_rows_and_a_large_one_becomes_a_job(
    client, city_staff, staff_a, township_a, leader, monkeypatch
):
    """As a browser submits the plan filter form (every field, the untouched ones empty), then one filter."""
    from openpyxl import load_workbook

    from apps.common.models import Job
    from apps.incidents.drills import views

    make_plan(city_staff, title="海宁市食品安全事故应急预案", versions=1)
    make_plan(staff_a, township=township_a, title="硖石街道食品安全事故应急预案")
    client.force_login(city_staff)
    url = reverse("incidents:plan_export")
    both = client.get(url, {"q": "", "level": "", "township": ""})
    assert both.status_code == 200 and both["Cache-Control"] == "no-store"
    values = [
        c for row in load_workbook(io.BytesIO(both.content)).worksheets[0].iter_rows(values_only=True) for c in row
    ]
    assert "海宁市食品安全事故应急预案" in values and "硖石街道食品安全事故应急预案" in values
    city = client.get(url, {"q": "", "level": "city", "township": ""})
    values = [
        c for row in load_workbook(io.BytesIO(city.content)).worksheets[0].iter_rows(values_only=True) for c in row
    ]
    assert "海宁市食品安全事故应急预案" in values and "硖石街道食品安全事故应急预案" not in values
    assert "导出 Excel" in client.get(reverse("incidents:plans")).content.decode()
    bad = client.get(url, {"level": "nonsense"})
    assert bad.status_code == 302 and bad["Location"].startswith(reverse("incidents:plans"))
    monkeypatch.setattr(views.PlanExportView, "sync_max_rows", 1)
    assert client.get(url).status_code == 302 and Job.objects.filter(kind="incidents.plan_export").exists()
    client.force_login(leader)  # views plans, exports nothing
    assert client.get(url).status_code == 403
    assert "导出 Excel" not in client.get(reverse("incidents:plans")).content.decode()
