"""Sample numbers under concurrency (PostgreSQL only: SQLite serialises writers and ignores SELECT … FOR UPDATE).
Threads with their own connections are released together by a barrier: every number is distinct and the sequence
has no gap, also when the year's sequence row does not exist yet; two samplers saving the same task get one sample."""

import threading

import pytest
from django.db import connections, transaction

from apps.common.exceptions import DomainError
from apps.sampling.fieldwork.services.samples import allocate_number, sample_create
from apps.sampling.models import Sample, SampleSequence

THREADS = 24


def _run(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=60)
            try:
                value = fn()
            finally:
                connections.close_all()
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_distinct_and_gap_free(reference, settings):
    settings.SAMPLING_DIVISION_CODE = "330481"
    assert not SampleSequence.objects.filter(year=2031).exists()  # the first number also creates the row

    def take():
        with transaction.atomic():
            return allocate_number(2031)

    numbers, errors = _run(THREADS, take)
    assert not errors, errors[:3]
    assert len(set(numbers)) == THREADS
    assert sorted(int(n[-9:]) for n in numbers) == list(range(1, THREADS + 1))
    assert SampleSequence.objects.get(year=2031, division="330481").last == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_samplers_saving_one_task_give_one_sample(world, task):
    def save():
        try:
            return sample_create(actor=world.sampler, task=task.pk, data=world.form_data()).number
        except DomainError as exc:
            return exc.code

    outcomes, errors = _run(6, save)
    assert not errors, errors[:3]
    assert Sample.objects.filter(task=task).count() == 1
    assert sorted(o for o in outcomes if not o.startswith("DC")) == ["invalid_transition"] * 5
