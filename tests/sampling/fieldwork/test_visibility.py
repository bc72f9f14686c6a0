"""Who sees which tasks, samples, results and disposals (one rule, apps/sampling/models/samples.py): township staff
their townships', samplers their organisation's, labs the samples sent to them (first test or 复检), city roles all.
A lab never sees another lab's samples."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.enterprises.models import Enterprise
from apps.sampling.models import Disposal, ResultItem, Sample, SamplingTask
from tests.conftest import make_user
from tests.factories import sampling as factories

from .conftest import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_samples(world, township_a, township_b):
    """Ours: sampled by world.sampler_org for world.lab in township A. Theirs: another sampler, the other lab,
    township B."""
    ours = factories.SampleFactory(
        task__sampling_org=world.sampler_org, task__lab=world.lab, task__plan_line__township=township_a
    )
    other_sampler = make_org("别的抽样公司")
    theirs = factories.SampleFactory(
        task__sampling_org=other_sampler, task__lab=world.other_lab, task__plan_line__township=township_b
    )
    for sample in (ours, theirs):
        limit = factories.TestLimitFactory()
        ResultItem.objects.create(
            sample=sample, test_item=limit.test_item, limit=limit, lab=sample.lab, value_text="0.1", verdict="qualified"
        )
    return ours, theirs


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # drop the per-user caches (townships, organisations)


def _visible(model, user):
    return set(model.objects.visible_to(_fresh(user)).values_list("pk", flat=True))


def test_sampler_sees_the_tasks_and_samples_of_their_organisation(world, two_samples):
    ours, theirs = two_samples
    assert _visible(Sample, world.sampler) == {ours.pk}
    assert _visible(SamplingTask, world.sampler) == {ours.task_id}


def test_lab_sees_the_samples_sent_to_it_and_their_results_only(world, two_samples):
    ours, theirs = two_samples
    assert _visible(Sample, world.lab_user) == {ours.pk}
    assert _visible(ResultItem, world.lab_user) == set(ours.results.values_list("pk", flat=True))
    assert _visible(Sample, world.other_lab_user) == {theirs.pk}
    assert ours.pk not in _visible(Sample, world.other_lab_user)  # never another lab's samples
    assert not (_visible(ResultItem, world.other_lab_user) & set(ours.results.values_list("pk", flat=True)))


def test_the_recheck_lab_sees_the_sample_it_retests(world, two_samples):
    ours, _ = two_samples
    Disposal.objects.create(
        sample=ours,
        opened_on=dt.date(2026, 3, 10),
        notify_due=dt.date(2026, 3, 17),
        verify_due=dt.date(2026, 6, 8),
        recheck_lab=world.other_lab,
    )
    assert ours.pk in _visible(Sample, world.other_lab_user)
    assert _visible(Disposal, world.other_lab_user) == {ours.disposal.pk}
    assert _visible(Disposal, world.sampler) == {ours.disposal.pk}


def test_township_staff_see_their_township_and_city_roles_all(world, two_samples, staff_a, staff_b, city_staff, leader):
    ours, theirs = two_samples
    assert _visible(Sample, staff_a) == {ours.pk}
    assert _visible(Sample, staff_b) == {theirs.pk}
    assert _visible(SamplingTask, staff_b) == {theirs.task_id}
    assert _visible(ResultItem, staff_a) == set(ours.results.values_list("pk", flat=True))
    assert _visible(Sample, city_staff) == _visible(Sample, leader) == {ours.pk, theirs.pk}


def test_a_user_without_township_or_organisation_sees_nothing(world, two_samples, reference):
    nobody = make_user("lonely_sampler", "sampler")
    assert _visible(Sample, nobody) == set() and _visible(SamplingTask, nobody) == set()


def test_sampler_opens_the_enterprises_of_their_tasks(world, two_samples):
    ours, theirs = two_samples
    visible = set(Enterprise.objects.visible_to(_fresh(world.sampler)).values_list("pk", flat=True))
    assert visible == {ours.enterprise_id}


def test_pages_follow_the_same_rule(world, two_samples):
    ours, theirs = two_samples
    client = Client()
    client.force_login(world.other_lab_user)
    assert client.get(reverse("sampling:sample_detail", args=[ours.pk])).status_code == 404
    assert client.get(reverse("sampling:sample_detail", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("sampling:sample_pdf", args=[ours.pk])).status_code == 404
    listing = client.get(reverse("sampling:sample_list")).content.decode()
    assert theirs.number in listing and ours.number not in listing
