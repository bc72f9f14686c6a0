"""Builders for the fieldwork tests: images made in memory, an inspector with a login and an assigned task, and a
draft filled the way the phone page fills it."""

import io

import pytest

from apps.inspections.choices import TaskKind, TaskSource
from apps.inspections.fieldwork.selectors import task_check_items
from apps.inspections.fieldwork.services.results import result_save, result_start

from .factories import make_enterprise, make_inspector, make_task


def png_bytes(width: int = 60, height: int = 30, color=(20, 40, 200)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(width: int = 64, height: int = 48, exif_date: str | None = None) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (width, height), (200, 120, 20))
    buf = io.BytesIO()
    if exif_date:
        exif = Image.Exif()
        exif[306] = exif_date  # DateTime
        exif[0x0110] = "TestCam"  # Model
        img.save(buf, format="JPEG", exif=exif)
    else:
        img.save(buf, format="JPEG")
    return buf.getvalue()


def webp_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(buf, format="WEBP")
    return buf.getvalue()


class Upload:
    """The part of Django's UploadedFile the services use (size + chunks)."""

    def __init__(self, data: bytes, name: str = "photo.jpg"):
        self.data, self.name, self.size = data, name, len(data)

    def chunks(self, chunk_size: int = 64 * 1024):
        for i in range(0, len(self.data), chunk_size):
            yield self.data[i : i + chunk_size]


class Field:
    """An inspector with a login (inspector_a), a colleague, a caterer in 硖石 and a flying task for both."""

    def __init__(self, township_a, township_b, inspector_a, user_factory):
        self.township_a, self.township_b = township_a, township_b
        self.user = inspector_a
        self.me = make_inspector(township=township_a, user=inspector_a, name="张检查")
        self.colleague_user = user_factory("inspector_c", "inspector", [township_a])
        self.colleague = make_inspector(township=township_a, user=self.colleague_user, name="李协查")
        self.enterprise = make_enterprise(township_a, business_type="catering", name="海宁市硖石美味餐饮店")
        self.task = make_task(
            self.enterprise, inspectors=[self.me, self.colleague], kind=TaskKind.FLYING, source=TaskSource.MANUAL
        )

    def items(self, verdict="conform"):
        return {ci.pk: (verdict, "") for ci in task_check_items(self.task)}

    def complete_draft(self, *, outcome="pass", verdict="conform", actor=None, **fields):
        actor = actor or self.user
        draft = result_start(actor=actor, task_id=self.task.pk)
        data = {"outcome": outcome, "summary": "现场检查情况良好", "operator_signer_name": "王老板", **fields}
        return result_save(
            actor=actor,
            result_id=draft.pk,
            data=data,
            items=self.items(verdict),
            inspector_signature=png_bytes(),
            operator_signature=png_bytes(color=(0, 0, 0)),
        )


@pytest.fixture(name="field")
def field_fixture(township_a, township_b, inspector_a, user_factory):
    return Field(township_a, township_b, inspector_a, user_factory)
