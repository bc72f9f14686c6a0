"""Issue 8 §7: every figure on a home page opens a list that shows the same rows.

For each role, the test builds data in which the figure and an unfiltered list would differ (cancelled businesses,
finalised and cancelled tasks, published results, a second township, deactivated accounts, expired clients), then
follows every figure's link *as that role* and counts the rows there: ``page.paginator.count`` on the platform's
lists, ``cl.result_count`` on admin change lists.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from apps.enterprises.choices import EnterpriseStatus
from apps.inspections.choices import TaskKind, TaskSource, TaskStatus
from apps.inspections.fieldwork.services.results import result_finalise
from tests.inspections.factories import make_enterprise, make_task
from tests.inspections.fieldwork_helpers import field_fixture  # noqa: F401  (the `field` fixture)

pytestmark = pytest.mark.django_db

ROLES = ["staff_a", "city_staff", "leader", "sys_admin", "security_admin"]


def rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    context = response.context
    if "cl" in context:  # a Django admin change list
        return context["cl"].result_count
    page = context.get("page")
    assert page is not None, f"{url} shows no paginated list"
    return page.paginator.count


@pytest.fixture
def busy_city(field, township_a, township_b, city_staff, user_factory):
    """Rows that make a careless figure disagree with its list."""
    today = timezone.localdate()
    # registry: operating and closed businesses in both townships
    for status in (EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED, EnterpriseStatus.CANCELLED):
        make_enterprise(township_a, status=status)
        make_enterprise(township_b, status=status)
    # random-check tasks of this year: one finalised, one open, one cancelled, one of last year
    shop = make_enterprise(township_b, business_type="food_sales")
    random = {"kind": TaskKind.ROUTINE_RANDOM, "source": TaskSource.MANUAL}  # kind decides the figure
    make_task(shop, status=TaskStatus.FINALISED, due_date=today, **random)
    make_task(field.enterprise, due_date=today, **random)
    make_task(field.enterprise, status=TaskStatus.CANCELLED, due_date=today, **random)
    make_task(shop, due_date=today.replace(year=today.year - 1), **random)
    # a rectification order past its deadline and one not yet due; a result waiting for publication
    draft = field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改")
    rect = result_finalise(actor=field.user, result_id=draft.pk).rectifications.get()
    rect.deadline = today - dt.timedelta(days=1)
    rect.save()
    # accounts: a deactivated person and an API client whose token expired
    user_factory("gone", "township_staff", [township_a], is_active=False)
    from apps.accounts.services import api_client_create

    api_client_create(name="省平台", scopes=["jobs:read"], city_wide=True)
    expired, _ = api_client_create(name="旧平台", scopes=["jobs:read"], city_wide=True)
    expired.expires_at = timezone.now() - dt.timedelta(days=1)
    expired.save()
    return field


@pytest.mark.parametrize("actor", ROLES)
def test_every_home_figure_opens_a_list_of_the_same_rows(client, request, busy_city, actor):
    user = request.getfixturevalue(actor)
    if actor == "security_admin":  # a locked account (one address: one lockout row per username)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": "staff_b", "password": "wrong"})
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    checked = 0
    for kpi in response.context["kpis"]:
        if kpi.value is None and not kpi.links:  # an app that is not installed yet: "—", no link
            assert not kpi.url and "上线后显示" in kpi.note
            continue
        assert kpi.url, f"{kpi.label}: a number without a link"
        if kpi.is_count and kpi.value is not None:
            assert rows_behind(client, kpi.url) == kpi.value, kpi.label
            checked += 1
        for link in kpi.links:  # a rate: each of its counts opens its rows
            assert link.url, f"{kpi.label} / {link.text}: a number without a link"
            assert rows_behind(client, link.url) == link.value, f"{kpi.label} / {link.text}"
            checked += 1
    assert checked >= 2
    for row in response.context.get("township_rows", []):  # the leadership table: every count opens its rows
        for link in (row["enterprises"], row["done"], row["total"]):
            assert rows_behind(client, link.url) == link.value, f"{row['township']} {link.text}"


def test_audit_admin_chain_figures_open_their_events(client, busy_city, audit_admin):
    client.force_login(audit_admin)
    response = client.get("/")
    chain = response.context["chain"]
    html = response.content.decode()
    today = f"/audit/?date_from={chain['today']:%Y-%m-%d}"
    assert 'href="/audit/"' in html and f'href="{today}"' in html
    assert rows_behind(client, "/audit/") == chain["length"] > 0
    assert rows_behind(client, today) == chain["events_today"] > 0


def test_the_figures_differ_from_the_unfiltered_lists(client, busy_city, city_staff, leader):
    """Guard: the data above really makes the filters matter (else the test above could not fail)."""
    client.force_login(city_staff)
    kpis = {k.label: k for k in client.get("/").context["kpis"]}
    assert kpis["检查对象总数"].value < rows_behind(client, "/enterprises/")
    client.force_login(leader)
    rate = {k.label: k for k in client.get("/").context["kpis"]}["双随机抽查完成率"]
    done, total = rate.links
    assert (done.value, total.value, rate.value) == (1, 2, 50)
    assert total.value < rows_behind(client, "/inspections/tasks/?kind=routine_random")


def test_leadership_completion_links_to_pages_leadership_may_open(client, busy_city, leader):
    client.force_login(leader)
    html = client.get("/").content.decode()
    rate = {k.label: k for k in client.get("/").context["kpis"]}["双随机抽查完成率"]
    assert "/inspections/plans/" not in rate.url  # 403 for leadership
    assert client.get(rate.url).status_code == 200
    assert f'href="{rate.url.replace("&", "&amp;")}"' in html
