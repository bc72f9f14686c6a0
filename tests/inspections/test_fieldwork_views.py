"""Fieldwork pages: the inspector's list and phone form (save, photo upload, signatures, finalise, 409 for a stale
device), who sees what (404 outside scope), the PDF record, staff lists, home KPIs (the public results pages: tests/public/test_result_pages.py)."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.inspections.choices import ResultStatus
from apps.inspections.fieldwork.selectors import task_check_items
from apps.inspections.fieldwork.services.results import result_finalise, result_start
from apps.inspections.models import InspectionResult, Photo

from .factories import make_enterprise, make_inspector, make_task
from .fieldwork_helpers import field_fixture, jpeg_bytes, png_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _signature(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _form(field, draft, **extra):
    data = {
        "version": draft.version,
        "summary": "后厨整洁",
        "outcome": "pass",
        "operator_signer_name": "王老板",
        "inspector_signature_data": _signature(png_bytes()),
        "operator_signature_data": _signature(png_bytes(color=(9, 9, 9))),
    }
    for ci in task_check_items(field.task):
        data[f"v-{ci.pk}"] = "conform"
        data[f"n-{ci.pk}"] = ""
    data.update(extra)
    return data


def test_my_tasks_lists_only_my_tasks(field, township_a):
    other = make_task(make_enterprise(township_a, name="别人的店"), inspectors=[make_inspector(township=township_a)])
    html = _client(field.user).get(reverse("inspections:my_tasks")).content.decode()
    assert "海宁市硖石美味餐饮店" in html and "别人的店" not in html
    assert _client(field.user).get(reverse("inspections:task_detail", args=[other.pk])).status_code == 404


def test_inspector_home_lists_open_tasks(field):
    html = _client(field.user).get("/").content.decode()
    assert "海宁市硖石美味餐饮店" in html and reverse("inspections:task_detail", args=[field.task.pk]) in html


def test_phone_form_saves_uploads_and_finalises(field):
    client = _client(field.user)
    url = reverse("inspections:task_detail", args=[field.task.pk])
    page = client.get(url).content.decode()
    assert "开始检查" in page
    client.post(reverse("inspections:task_start", args=[field.task.pk]))
    draft = InspectionResult.objects.get(task=field.task)
    page = client.get(url).content.decode()
    for text in ("符合", "基本符合", "不符合", "责令整改", "立案查处", "处罚到人", "data-signature-for", "capture="):
        assert text in page
    photo = jpeg_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _form(field, draft, action="save")
    data["photos"] = [SimpleUploadedFile("a.jpg", photo, content_type="image/jpeg")]
    response = client.post(reverse("inspections:result_save", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResultStatus.DRAFT and draft.inspector_signature_sha256 and draft.photos.count() == 1
    photo_row = draft.photos.get()
    served = client.get(reverse("inspections:photo_file", args=[photo_row.pk]))
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == photo
    # finalise (signatures kept: empty pad values mean "keep")
    data = _form(field, draft, action="finalise", inspector_signature_data="", operator_signature_data="")
    response = client.post(reverse("inspections:result_save", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResultStatus.FINAL and draft.content_hash
    page = client.get(url).content.decode()
    assert draft.content_hash in page and "距公示期限还剩" in page
    # a second device with the old version: 409, nothing changes
    stale = client.post(
        reverse("inspections:result_save", args=[draft.pk]), _form(field, draft, action="finalise", version=1)
    )
    assert stale.status_code == 409
    assert InspectionResult.objects.filter(task=field.task, status=ResultStatus.FINAL).count() == 1


def test_incomplete_form_keeps_what_was_typed(field):
    client = _client(field.user)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    data = _form(field, draft, action="save", penalty_amount="-5", summary="我写的情况")
    response = client.post(reverse("inspections:result_save", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "我写的情况" in response.content.decode()
    draft.refresh_from_db()
    assert draft.summary == ""


def test_finalise_with_missing_items_says_what_is_missing(field):
    client = _client(field.user)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    data = _form(field, draft, action="finalise")
    first = task_check_items(field.task)[0]
    data.pop(f"v-{first.pk}")
    response = client.post(reverse("inspections:result_save", args=[draft.pk]), data, follow=True)
    assert "未判定" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ResultStatus.DRAFT and draft.summary == "后厨整洁"  # saved, not finalised


def test_other_users_cannot_write_or_see(field, staff_b, staff_a, township_a, user_factory):
    draft = result_start(actor=field.user, task_id=field.task.pk)
    outsider = user_factory("inspector_y", "inspector", [township_a])
    make_inspector(township=township_a, user=outsider)
    url = reverse("inspections:result_save", args=[draft.pk])
    assert _client(outsider).post(url, _form(field, draft)).status_code == 404
    assert _client(staff_b).get(reverse("inspections:task_detail", args=[field.task.pk])).status_code == 404
    assert _client(staff_a).get(reverse("inspections:task_detail", args=[field.task.pk])).status_code == 200
    assert _client(staff_a).post(url, _form(field, draft)).status_code == 403


def test_pdf_record_has_chinese_name_and_verification_link(field):
    final = result_finalise(actor=field.user, result_id=field.complete_draft().pk)
    response = _client(field.user).get(reverse("inspections:result_pdf", args=[final.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_staff_pages_render(field, city_staff, staff_a, staff_b):
    final = result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )
    for user, names in (
        (city_staff, ["tasks", "publications", "rectifications", "flying_create"]),
        (staff_a, ["tasks", "rectifications"]),
    ):
        client = _client(user)
        for name in names:
            assert client.get(reverse(f"inspections:{name}")).status_code == 200, name
    client = _client(city_staff)
    html = client.get(reverse("inspections:publications")).content.decode()
    assert "海宁市硖石美味餐饮店" in html and "距公示期限还剩" in html
    assert client.get(reverse("inspections:publication_detail", args=[final.publication.pk])).status_code == 200
    assert "海宁市硖石美味餐饮店" in _client(staff_a).get(reverse("inspections:publications")).content.decode()
    assert "海宁市硖石美味餐饮店" not in _client(staff_b).get(reverse("inspections:publications")).content.decode()
    assert (
        _client(staff_b).get(reverse("inspections:publication_detail", args=[final.publication.pk])).status_code == 404
    )


def test_flying_task_page_creates_a_task(city_staff, township_a):
    ent = make_enterprise(township_a, name="海宁市许村飞检对象")
    a, b = make_inspector(township=township_a), make_inspector(township=township_a)
    client = _client(city_staff)
    response = client.post(
        reverse("inspections:flying_create"),
        {"enterprise": ent.uscc, "reason": "群众举报后厨卫生", "inspectors": [a.pk, b.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ent.inspection_tasks.get().kind == "flying"


def test_key_task_button_runs_the_job(city_staff, township_a, django_capture_on_commit_callbacks):
    make_enterprise(township_a, business_type="central_kitchen")
    make_inspector(township=township_a), make_inspector(township=township_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(city_staff).post(reverse("inspections:key_tasks_generate"))
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    from apps.common.models import Job

    job = Job.objects.get(kind="inspections.key_tasks")
    assert job.status == "done" and job.result["created"] == 1


def test_township_home_shows_overdue_rectifications(field, staff_a):
    final = result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )
    rect = final.rectifications.get()
    rect.deadline = timezone.localdate() - timezone.timedelta(days=3)
    rect.save()
    html = _client(staff_a).get("/").content.decode()
    assert "逾期未整改" in html and 'id="home-overdue-rectifications"' in html
    assert re.search(r"硖石街道</span><a[^>]*>1 项", html)


def test_generate_key_tasks_command(township_a, township_b):
    import json
    from io import StringIO

    from django.core.management import call_command

    make_enterprise(township_a, business_type="central_kitchen")
    make_enterprise(township_b, business_type="meal_distribution")
    for _ in range(2):
        make_inspector(township=township_a)
    out = StringIO()
    call_command("generate_key_tasks", "--township", township_a.code, stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["created"] == 1 and summary["by_rule"] == {"central-kitchen": 1}
    out = StringIO()
    call_command("generate_key_tasks", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1  # the other township now; the first is not repeated


def test_flying_form_is_prefilled_from_the_enterprise(city_staff, township_a):
    ent = make_enterprise(township_a)
    html = _client(city_staff).get(reverse("inspections:flying_create") + f"?enterprise={ent.pk}").content.decode()
    assert f'value="{ent.uscc}"' in html


def test_photos_are_served_as_attachments_to_their_task_only(field, staff_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(field.user)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    data = _form(field, draft, action="save")
    data["photos"] = [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")]
    client.post(reverse("inspections:result_save", args=[draft.pk]), data)
    photo = Photo.objects.get()
    served = client.get(reverse("inspections:photo_file", args=[photo.pk]))
    assert served["Content-Disposition"].startswith("attachment") and served["Content-Type"] == "image/jpeg"
    assert _client(staff_b).get(reverse("inspections:photo_file", args=[photo.pk])).status_code == 404
    assert Client().get(reverse("inspections:photo_file", args=[photo.pk])).status_code == 302  # login first


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("tasks", {"q": "", "kind": "", "status": "", "township": ""}),
        ("rectifications", {"status": ""}),
        ("publications", {"status": ""}),
    ],
)
def test_untouched_filter_forms_equal_no_filter(field, city_staff, name, form):
    """Issue 8.1: every field submitted empty (as a browser does) lists the same rows as no filter."""
    result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )
    client = _client(city_staff)
    plain = client.get(reverse(f"inspections:{name}"))
    submitted = client.get(reverse(f"inspections:{name}"), form)
    assert plain.context["page"].paginator.count == submitted.context["page"].paginator.count >= 1
    assert not submitted.context["filter_errors"]
    bad = client.get(reverse(f"inspections:{name}"), {"status": "bogus"})
    assert bad.context["page"].paginator.count == 0 and "筛选条件有误" in bad.content.decode()
