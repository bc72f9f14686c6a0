"""The demo seed: organisations with valid USCCs (抽检分离 holds), the demo sampler and lab user as members, ~17
samples per township with numbers from the sequence and ≥ 2 samplers, open tasks for the demo sampler; idempotent."""

import datetime as dt

import pytest

from apps.accounts.models import Township
from apps.accounts.services import demo_accounts_create
from apps.enterprises.identifiers import check_uscc
from apps.sampling.fieldwork.demo import seed_demo
from apps.sampling.fieldwork.selectors import my_open_tasks
from apps.sampling.models import Organisation, Sample, SampleSequence
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_demo_seed(reference, settings):
    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#pass-2026")
    for township in Township.objects.filter(code__in=["xiashi", "xucun"]):
        for _ in range(4):
            EnterpriseFactory(township=township)
    today = dt.date(2026, 6, 15)
    result = seed_demo(today=today)
    assert result["organisations"] == 4 and result["samples"] + result["open_tasks"] == 2 * 17
    assert 0 < result["open_tasks"] <= 12
    for org in Organisation.objects.all():
        assert check_uscc(org.uscc).ok
    samples = list(Sample.objects.select_related("sampling_org", "lab"))
    assert all(s.sampling_org.uscc != s.lab.uscc and len(s.samplers) >= 2 and s.sampled_on <= today for s in samples)
    assert all(s.production_date <= s.sampled_on and s.backup_sealed_by_site for s in samples)
    assert sorted(int(s.number[-9:]) for s in samples) == list(range(1, len(samples) + 1))
    assert SampleSequence.objects.get(year=2026).last == len(samples)
    sampler = Organisation.objects.get(name__startswith="海宁市食品安全抽样中心").members.get()
    assert sampler.username == "chouyang"
    assert my_open_tasks(actor=type(sampler).objects.get(pk=sampler.pk)).count() == result["open_tasks"]
    assert seed_demo(today=today)["samples"] == len(samples)  # a second run adds nothing
    assert Sample.objects.count() == len(samples)
