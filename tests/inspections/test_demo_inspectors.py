import io

import pytest
from django.core.management import call_command

from apps.accounts.services import demo_accounts_create
from apps.inspections.models import Inspector


@pytest.mark.django_db
def test_demo_inspectors_cover_every_township_and_link_the_demo_account(reference, settings):
    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#pass-2026")
    out = io.StringIO()
    call_command("seed_demo_inspectors", stdout=out)
    assert Inspector.objects.count() == 36
    assert set(Inspector.objects.values_list("township__code", flat=True).distinct()).__len__() == 12
    linked = Inspector.objects.get(user__username="jiancha")
    assert linked.township.code == "xiashi" and linked.name == "李建国"
    call_command("seed_demo_inspectors", stdout=io.StringIO())
    assert Inspector.objects.count() == 36  # idempotent


@pytest.mark.django_db
def test_demo_inspectors_refused_outside_demo_mode(reference, settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_inspectors", stdout=io.StringIO())
