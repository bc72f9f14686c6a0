"""Public results pages (no login): the list and a record's verification page (moved from tests/inspections)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.inspections.choices import PublicationStatus, TaskStatus
from apps.inspections.fieldwork.services.publications import publications_publish_due
from apps.inspections.fieldwork.services.results import result_finalise, result_start
from apps.inspections.models import Publication

pytestmark = pytest.mark.django_db


def test_public_results_pages(field):
    final = result_finalise(actor=field.user, result_id=field.complete_draft().pk)
    client = Client()
    detail = reverse("public_results:detail", args=[final.public_id])
    html = client.get(detail).content.decode()
    assert "VERIFIED" in html and final.content_hash in html and "尚未公示" in html
    assert "后厨" not in client.get(reverse("public_results:list")).content.decode()
    later = timezone.now() + timezone.timedelta(days=20)
    publications_publish_due(now=later)
    assert Publication.objects.get(result=final).status == PublicationStatus.PUBLISHED
    listing = client.get(reverse("public_results:list")).content.decode()
    assert "海宁市硖石美味餐饮店" in listing
    html = client.get(detail).content.decode()
    assert "张检查" in html and field.me.badge_no in html and "合格" in html
    assert "王老板" not in html  # the operator's signer is never public
    assert (
        client.get(reverse("public_results:detail", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    )


def test_draft_has_no_public_page(field):
    draft = result_start(actor=field.user, task_id=field.task.pk)
    assert Client().get(reverse("public_results:detail", args=[draft.public_id])).status_code == 404
    field.task.refresh_from_db()
    assert field.task.status == TaskStatus.IN_PROGRESS
