"""Attachments of a 抽样单 (DOMAIN.md §3.3): checked like inspection photos (type by content, size cap, SHA-256 at
upload), uploaded from the sample page the way a phone browser posts it, listed with their hash, downloaded through a
scoped view, audited, immutable once the sample is with the lab, on the printable record and in the API."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.common.audit import AuditEvent
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.sampling.choices import AttachmentKind, SampleStatus
from apps.sampling.fieldwork.records import record_html
from apps.sampling.fieldwork.selectors import attachment_list, sample_get
from apps.sampling.fieldwork.services.attachments import attachment_add, attachment_delete
from apps.sampling.models import Sample, SampleAttachment
from tests.conftest import make_user
from tests.factories import sampling as factories

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def sample(world, township_a):
    return factories.SampleFactory(
        task__plan_line=world.line,
        task__enterprise=world.enterprises[0],
        task__sampling_org=world.sampler_org,
        task__lab=world.lab,
    )


def add(actor, sample, data=None, **kw):
    kw.setdefault("kind", AttachmentKind.PHOTO)
    return attachment_add(actor=actor, sample_id=sample.pk, upload=upload(data or jpeg_bytes()), **kw)


# ---------------------------------------------------------------------------- the checks of the upload
def test_photo_is_stored_with_its_hash_and_audited(world, sample):
    data = jpeg_bytes()
    a = add(world.sampler, sample, data, caption="现场货架")
    assert a.sha256 == hashlib.sha256(data).hexdigest() and a.size == len(data)
    assert a.content_type == "image/jpeg" and (a.width, a.height) == (40, 30)
    assert a.file.read() == data
    event = AuditEvent.objects.filter(action="sampling.attachment_add").latest("seq")
    assert event.extra["sha256"] == a.sha256 and event.extra["number"] == sample.number


def test_signed_scan_may_be_a_pdf_but_a_photo_may_not(world, sample):
    scan = attachment_add(
        actor=world.sampler,
        sample_id=sample.pk,
        upload=upload(PDF_BYTES, "notice.pdf", "application/pdf"),
        kind=AttachmentKind.NOTICE,
    )
    assert scan.content_type == "application/pdf" and scan.width is None
    with pytest.raises(ValidationFailed, match="现场照片只能是 JPEG、PNG、WebP 文件"):
        add(world.sampler, sample, PDF_BYTES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 this is an exe", "只能是"),  # bad type
        (b"GIF89a\x01\x00\x01\x00", "只能是"),  # an image type that is not accepted
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "已损坏或不是有效图片"),  # disguised: JPEG magic only
        (b"%PDF-1.4\n<script>alert(1)</script>", "不是有效的 PDF"),  # disguised: PDF header, no trailer
    ],
)
def test_bad_and_disguised_files_are_refused_and_nothing_is_written(world, sample, data, message):
    kind = AttachmentKind.SAMPLE_FORM if data.startswith(b"%PDF") else AttachmentKind.PHOTO
    with pytest.raises(ValidationFailed, match=message):
        attachment_add(actor=world.sampler, sample_id=sample.pk, upload=upload(data, "x.jpg"), kind=kind)
    assert not SampleAttachment.objects.exists()


def test_oversized_file_is_refused_whatever_size_it_claims(world, sample, settings):
    settings.SAMPLING_ATTACHMENT_MAX_BYTES = 1024
    big = jpeg_bytes((400, 400))
    assert len(big) > 1024
    with pytest.raises(ValidationFailed) as exc:
        add(world.sampler, sample, big)
    assert exc.value.code == "too_large" and "不能超过" in exc.value.message
    lying = upload(big)
    lying.size = 10  # a client that lies about the size is still stopped while reading
    with pytest.raises(ValidationFailed) as exc:
        attachment_add(actor=world.sampler, sample_id=sample.pk, upload=lying, kind=AttachmentKind.PHOTO)
    assert exc.value.code == "too_large"
    assert not SampleAttachment.objects.exists()


def test_unknown_kind_is_refused(world, sample):
    with pytest.raises(ValidationFailed, match="附件类型"):
        add(world.sampler, sample, kind="selfie")


# ---------------------------------------------------------------------------- immutability after sending
def test_after_sending_to_the_lab_attachments_are_immutable_and_a_correction_needs_a_reason(world, sample):
    first = add(world.sampler, sample)
    Sample.objects.filter(pk=sample.pk).update(status=SampleStatus.RECEIVED)
    with pytest.raises(Conflict, match="附件不能删除"):
        attachment_delete(actor=world.sampler, attachment_id=first.pk)
    with pytest.raises(ValidationFailed, match="须填写原因"):
        add(world.sampler, sample)
    fixed = add(world.sampler, sample, reason="原照片模糊，重新上传", corrects_id=str(first.pk))
    assert fixed.corrects_id == first.pk and fixed.correction_reason == "原照片模糊，重新上传"
    assert SampleAttachment.objects.filter(pk=first.pk).exists()
    event = AuditEvent.objects.filter(action="sampling.attachment_add").latest("seq")
    assert event.extra["after_sending"] is True and event.extra["corrects"] == first.pk


def test_before_sending_a_sampler_may_delete_with_an_audit_event(world, sample):
    a = add(world.sampler, sample)
    attachment_delete(actor=world.sampler, attachment_id=a.pk)
    assert not SampleAttachment.objects.exists()
    assert AuditEvent.objects.filter(action="sampling.attachment_delete").latest("seq").extra["sha256"] == a.sha256


def test_correction_must_name_an_attachment_of_the_same_sample(world, sample):
    other = factories.SampleFactory(
        task__plan_line=world.line, task__sampling_org=world.sampler_org, task__lab=world.lab
    )
    foreign = add(world.sampler, other)
    with pytest.raises(ValidationFailed, match="不属于此样品"):
        add(world.sampler, sample, reason="更正", corrects_id=foreign.pk)


# ---------------------------------------------------------------------------- scoping
def test_out_of_township_staff_get_404_on_file_and_upload(world, sample, staff_a, staff_b):
    a = add(world.sampler, sample)
    url = reverse("sampling:attachment_file", args=[a.pk])
    c = Client()
    c.force_login(staff_a)
    response = c.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == a.file.open("rb").read()
    c.force_login(staff_b)
    assert c.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        add(world.other_lab_user, sample)  # labs never upload
    outsider = make_user("sampler_elsewhere", "sampler")  # a sampler of no organisation of this sample
    with pytest.raises(OutOfScope):
        add(outsider, sample)
    assert attachment_list(actor=staff_b, sample_ids=[sample.pk]) == []


def test_other_lab_cannot_download(world, sample):
    a = add(world.sampler, sample)
    c = Client()
    c.force_login(world.other_lab_user)
    assert c.get(reverse("sampling:attachment_file", args=[a.pk])).status_code == 404
    c.force_login(world.lab_user)
    assert c.get(reverse("sampling:attachment_file", args=[a.pk])).status_code == 200


# ---------------------------------------------------------------------------- the page, as a browser posts it
def _post(client, sample, files, **fields):
    data = {"kind": "photo", "caption": "", "reason": "", "corrects": "", **fields}
    if files is not None:
        data["files"] = files
    return client.post(reverse("sampling:attachment_add", args=[sample.pk]), data)


def test_page_upload_with_empty_optional_fields_lists_the_hash(world, sample):
    c = Client()
    c.force_login(world.sampler)
    data = jpeg_bytes()
    response = _post(c, sample, [upload(data), upload(PDF_BYTES, "bad.pdf", "application/pdf")])
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    assert SampleAttachment.objects.count() == 1  # the good photo kept, the PDF (not a photo) refused
    page = c.get(reverse("sampling:sample_detail", args=[sample.pk]))
    html = page.content.decode()
    assert hashlib.sha256(data).hexdigest() in html and 'data-label="SHA-256"' in html
    assert "bad.pdf：现场照片只能是" in html
    assert 'id="attachment-form"' in html and 'enctype="multipart/form-data"' in html


def test_page_upload_without_a_file_or_with_a_bad_kind_writes_nothing(world, sample):
    c = Client()
    c.force_login(world.sampler)
    response = _post(c, sample, None)
    assert response.status_code == 302
    response = _post(c, sample, [upload(jpeg_bytes())], kind="")
    assert response.status_code == 302
    html = c.get(reverse("sampling:sample_detail", args=[sample.pk])).content.decode()
    assert "请选择要上传的文件" in html and "请选择附件类型" in html
    assert not SampleAttachment.objects.exists()


def test_page_upload_out_of_scope_is_404(world, sample, staff_b):
    c = Client()
    c.force_login(staff_b)
    assert _post(c, sample, [upload(jpeg_bytes())]).status_code in (403, 404)
    assert not SampleAttachment.objects.exists()


def test_page_after_sending_shows_the_lock_and_no_delete_button(world, sample):
    add(world.sampler, sample)
    Sample.objects.filter(pk=sample.pk).update(status=SampleStatus.RECEIVED)
    c = Client()
    c.force_login(world.sampler)
    html = c.get(reverse("sampling:sample_detail", args=[sample.pk])).content.decode()
    assert 'id="attachments-locked"' in html and "/delete/" not in html
    response = _post(c, sample, [upload(jpeg_bytes())])
    assert SampleAttachment.objects.count() == 1  # refused: no reason given
    response = _post(c, sample, [upload(jpeg_bytes())], reason="补拍封样照片")
    assert response.status_code == 302 and SampleAttachment.objects.count() == 2


# ---------------------------------------------------------------------------- record and API
def test_printable_record_lists_the_attachments_with_hash_and_thumbnail(world, sample, city_staff):
    a = add(world.sampler, sample)
    s = sample_get(actor=city_staff, pk=sample.pk)
    html = record_html(s, attachments=attachment_list(actor=city_staff, sample_ids=[s.pk]))
    assert "抽样单附件清单" in html and a.sha256 in html and 'src="data:image/jpeg;base64,' in html
    assert "本抽样单无附件" in record_html(s)


def test_api_sample_detail_lists_attachments_read_only(world, sample, city_staff):
    from rest_framework.test import APIClient

    a = add(world.sampler, sample, caption="货架")
    client = APIClient()
    client.force_authenticate(city_staff)
    body = client.get(f"/api/v1/sampling/samples/{sample.pk}/").json()
    assert body["attachments"] == [
        {
            "id": a.pk,
            "kind": "photo",
            "kind_label": "现场照片",
            "name": "货架",
            "content_type": "image/jpeg",
            "size": a.size,
            "sha256": a.sha256,
            "corrects": None,
            "correction_reason": "",
            "uploaded_at": body["attachments"][0]["uploaded_at"],
            "download_url": "http://testserver" + reverse("sampling:attachment_file", args=[a.pk]),
        }
    ]
    listing = client.get("/api/v1/sampling/samples/").json()
    assert "attachments" not in listing["results"][0]
