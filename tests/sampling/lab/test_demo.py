"""The demo seed: results through the one service path for part of the demo samples, some 不合格 with disposals."""

import pytest

from apps.sampling.lab.demo import DEMO_LAB_USER, RECHECK_LABS, demo_lab_seed
from apps.sampling.models import Disposal, Organisation, Sample
from tests.conftest import make_user

from .helpers import make_lab_user, make_sample

pytestmark = pytest.mark.django_db


def test_demo_seed_reports_samples_and_is_idempotent(settings, catalogue, township_a, lab):
    settings.DEMO_MODE = True
    make_lab_user(DEMO_LAB_USER, Organisation.objects.create(name="别的机构", kind="lab"))
    make_user("shiju", "city_staff")
    for _ in range(12):
        make_sample(catalogue.sub, township_a, lab=lab)
    first = demo_lab_seed()
    assert first["lab"] == lab.name and first["reported"] == 9 and first["unqualified"] == 1
    assert Organisation.objects.filter(name__in=RECHECK_LABS, is_recheck_lab=True).count() == 2
    assert lab.members.filter(username=DEMO_LAB_USER).exists()
    assert Sample.objects.filter(status="reported").count() == 9 and Disposal.objects.count() == 1
    assert Disposal.objects.get().status == "notified"  # the first one delivered by the city account
    assert Sample.objects.filter(status="sampled").count() == 3  # left for the demo account


def test_demo_seed_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(RuntimeError):
        demo_lab_seed()
