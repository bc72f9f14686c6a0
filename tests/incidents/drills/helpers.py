"""Helpers of the drill tests: real files (PNG, PDF, DOCX, a macro-enabled DOCM), plans and drills through the
services, as the pages create them."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.incidents.drills import services

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def png_bytes(size=(40, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes(*, main_type=DOCX_MAIN, with_document=True, extra_parts=()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        if with_document:
            z.writestr("word/document.xml", "<w:document/>")
        for name, data in extra_parts:
            z.writestr(name, data)
    return buf.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def today():
    return timezone.localdate()


def make_plan(actor, *, township=None, title="海宁市食品安全事故应急预案", versions=0):
    plan = services.plan_create(
        actor=actor,
        data={
            "title": title,
            "level": "township" if township else "city",
            "township": township,
            "owner_department": "市市场监管局",
        },
    )
    for i in range(versions):
        v = services.plan_version_upload(
            actor=actor,
            plan_id=plan.pk,
            data={"issued_on": today() - dt.timedelta(days=10 - i), "summary": f"第 {i + 1} 次修订"},
            document=upload("plan.pdf", pdf_bytes()),
        )
        services.plan_version_issue(actor=actor, version_id=v.pk)
    return plan


def drill_data(township=None, **overrides):
    data = {
        "date": today() - dt.timedelta(days=3),
        "township": township,
        "plan": None,
        "scenario": "学校食堂疑似集体食物中毒",
        "kind": "tabletop",
        "participant_count": 25,
        "participant_orgs": "镇食安办、卫生院、派出所",
        "findings": "信息报送不及时",
        "improvements": "明确报送责任人",
    }
    data.update(overrides)
    return data


def make_drill(actor, township=None, **overrides):
    return services.drill_create(actor=actor, data=drill_data(township, **overrides))
