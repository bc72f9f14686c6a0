"""The demo seed of 你点我检 and publication: what a newcomer sees after `make run`, idempotent, audit chain intact."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.services import demo_accounts_create
from apps.common.audit import audit_verify
from apps.sampling.choices import TopicStatus
from apps.sampling.models import Sample, VoteTopic
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seed_fills_the_public_pages_once(settings, township_a):
    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#pass-2026")
    EnterpriseFactory.create_batch(8, township=township_a)
    call_command("seed_demo_sampling_publicity")
    assert VoteTopic.objects.filter(status=TopicStatus.OPEN).count() == 4
    assert sorted(VoteTopic.objects.values_list("vote_count", flat=True)) == [41, 58, 64, 96, 137, 203]
    adopted = VoteTopic.objects.get(status=TopicStatus.ADOPTED)
    assert adopted.plan_line.origin_ref == f"vote-topic:{adopted.pk}"
    assert Sample.objects.filter(published_at__isnull=False).count() == 2
    votes = Client().get(reverse("public_sampling:votes")).content.decode()
    assert "农贸市场豇豆农药残留" in votes and "137" in votes and "快检" in votes and "异议期至" in votes
    results = Client().get(reverse("public_sampling:results")).content.decode()
    assert "韭菜（散装）" in results and "不合格" in results
    call_command("seed_demo_sampling_publicity")  # idempotent
    assert VoteTopic.objects.count() == 6
    assert audit_verify().ok
