"""The public intake form and the query-code status page (no account)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from apps.incidents.models import Complaint, ComplaintAttachment, ReporterIdentity
from tests.helpers.images import tiny_png

from .complaints_helpers import advance

pytestmark = pytest.mark.django_db

EMPTY = {
    "kind": "",
    "content": "",
    "subject_name": "",
    "address": "",
    "township": "",
    "name": "",
    "phone": "",
    "contact": "",
    "id_number": "",
}
PNG = tiny_png()


def _token(client):
    page = client.get(reverse("public_complaints:submit"))
    assert page.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)


def _submit(client, token, **fields):
    return client.post(reverse("public_complaints:submit"), {**EMPTY, "token": token, **fields})


def _code(response):
    return re.search(r'id="query-code">([A-Z0-9-]+)<', response.content.decode()).group(1)


def test_the_form_asks_only_for_what_the_case_needs(client, reference):
    form = client.get(reverse("public_complaints:submit")).context["form"]
    required = {name for name, f in form.fields.items() if f.required}
    assert required == {"kind"}  # content is required by the service (PII-03), with its Chinese message
    assert {"name", "phone", "contact", "id_number"} <= set(form.fields)


def test_an_anonymous_report_gets_a_query_code_shown_once(client, reference):
    response = _submit(client, _token(client), kind="report", content="某饭店使用地沟油")
    assert response.status_code == 201
    code = _code(response)
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    c = Complaint.objects.get()
    assert c.channel == "public_form" and c.anonymous and c.status == "pending"
    assert code not in c.query_code_digest and not ReporterIdentity.objects.exists()


def test_empty_form_as_a_browser_submits_it_is_a_chinese_400_and_writes_nothing(client, reference):
    response = _submit(client, _token(client), kind="complaint")
    assert response.status_code == 400
    assert "请填写投诉举报的内容" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_rapid_duplicate_submission_creates_one_complaint(client, reference):
    token = _token(client)
    first = _submit(client, token, kind="complaint", content="外卖有异物")
    assert first.status_code == 201
    for _ in range(3):
        again = _submit(client, token, kind="complaint", content="外卖有异物")
        assert again.status_code == 409
        assert "请勿重复提交" in again.content.decode()
    assert Complaint.objects.count() == 1


def test_a_forged_token_is_refused(client, reference):
    response = _submit(client, "forged-token", kind="complaint", content="内容")
    assert response.status_code == 400 and "表单已过期或无效" in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"kind": "complaint", "content": "x", "reward_claimed": "on"}, "只有举报可以申请奖励"),
        (
            {"kind": "report", "content": "x", "reward_claimed": "on", "name": "张三", "phone": "13800000000"},
            "身份证号",
        ),
        ({"kind": "report", "content": "x", "id_number": "330481199001011234"}, "只有申请奖励时才需要身份证号"),
        ({"kind": "report", "content": "x", "phone": "abc"}, "电话号码格式不正确"),
    ],
)
def test_identity_rules_pii_03(client, reference, fields, message):
    response = _submit(client, _token(client), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists() and not ReporterIdentity.objects.exists()


def test_a_reward_claim_with_identity_is_stored_encrypted(client, reference):
    from django.db import connection

    response = _submit(
        client,
        _token(client),
        kind="report",
        content="x",
        reward_claimed="on",
        name="实名甲",
        phone="13800001111",
        id_number="33048119900101123X",
    )
    assert response.status_code == 201
    c = Complaint.objects.get()
    assert c.reward_claimed and not c.anonymous
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, id_number FROM incidents_reporteridentity")
        row = cursor.fetchone()
    assert all(v.startswith("v1:") for v in row) and "实名甲" not in "".join(row)


def test_attachments_are_checked_by_content(client, reference):
    token = _token(client)
    bad = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(
        reverse("public_complaints:submit"),
        {**EMPTY, "token": token, "kind": "complaint", "content": "x", "attachments": [bad]},
    )
    assert response.status_code == 400 and "JPEG、PNG 图片或 PDF" in response.content.decode()
    assert not Complaint.objects.exists()
    good = SimpleUploadedFile("张三的照片.png", PNG, content_type="application/octet-stream")
    response = client.post(
        reverse("public_complaints:submit"),
        {**EMPTY, "token": token, "kind": "complaint", "content": "x", "attachments": [good]},
    )
    assert response.status_code == 201
    att = ComplaintAttachment.objects.get()
    assert att.content_type == "image/png" and "张三" not in att.file.name


@override_settings(COMPLAINTS_SUBMIT_SESSION_LIMIT=2, COMPLAINTS_SUBMIT_IP_LIMIT=100)
def test_submissions_are_rate_limited_per_session(client, reference):
    for _ in range(2):
        assert _submit(client, _token(client), kind="complaint", content="x").status_code == 201
    response = _submit(client, _token(client), kind="complaint", content="x")
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert response["Retry-After"]
    assert Complaint.objects.count() == 2


@override_settings(COMPLAINTS_SUBMIT_SESSION_LIMIT=100, COMPLAINTS_SUBMIT_IP_LIMIT=2)
def test_submissions_are_rate_limited_per_ip(client, reference):
    from django.test import Client

    for _ in range(2):
        fresh = Client()
        assert _submit(fresh, _token(fresh), kind="complaint", content="x").status_code == 201
    fresh = Client()
    assert _submit(fresh, _token(fresh), kind="complaint", content="x").status_code == 429


def test_the_status_page_shows_status_and_feedback_only(client, reference, township_a):
    response = _submit(
        client, _token(client), kind="report", content="内部备注不应公开", name="实名乙", phone="13900002222"
    )
    code = _code(response)
    c = Complaint.objects.get()
    advance(c, "fed_back", township=township_a)
    page = client.post(reverse("public_complaints:status"), {"code": code.lower().replace("-", " ")})
    body = page.content.decode()
    assert page.status_code == 200
    assert "已反馈" in body and "已责令整改并立案查处" in body
    for secret in ("实名乙", "13900002222", "内部备注不应公开", "属于本局职责", "现场检查，责令整改"):
        assert secret not in body
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


@pytest.mark.parametrize("code,status", [("", 400), ("AAAA-BBBB-CCCC-DDDD", 404), ("short", 404)])
def test_a_wrong_code_is_a_chinese_4xx(client, reference, code, status):
    response = client.post(reverse("public_complaints:status"), {"code": code})
    assert response.status_code == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())


def test_the_portal_links_to_the_form(client, reference):
    body = client.get(reverse("public:index")).content.decode()
    assert reverse("public_complaints:submit") in body


@pytest.mark.parametrize(
    "count,size,message", [(4, 10, "最多上传 3 个附件"), (1, 5 * 1024 * 1024 + 1, "不能超过 5 MB")]
)
def test_too_many_or_too_large_attachments(client, reference, count, size, message):
    files = [SimpleUploadedFile(f"p{i}.png", PNG + b"\x00" * max(0, size - len(PNG))) for i in range(count)]
    response = client.post(
        reverse("public_complaints:submit"),
        {**EMPTY, "token": _token(client), "kind": "complaint", "content": "x", "attachments": files},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
