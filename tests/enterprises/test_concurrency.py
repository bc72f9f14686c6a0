"""Concurrent writers on PostgreSQL (SQLite ignores select_for_update): one stale version wins, the other is refused."""

import threading

import pytest
from django.db import close_old_connections

from apps.common.exceptions import PreconditionFailed
from apps.enterprises import services
from apps.enterprises.models import Enterprise
from tests.factories import EnterpriseFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_updates_with_the_same_version_one_wins(staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(name):
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": name}, expected_version=1)
            outcomes.append("ok")
        except PreconditionFailed:
            outcomes.append("412")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["412", "ok"]
    ent.refresh_from_db()
    assert ent.version == 2 and ent.name in ("甲", "乙")
    assert Enterprise.objects.count() == 1
