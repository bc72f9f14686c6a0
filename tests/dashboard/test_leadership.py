"""Issue 12 point 8: the leadership dashboard (驾驶舱) — scope, read-only, every number opens the list of its rows.

The real measures are registered by the apps that own the data; here the registry is replaced by two small fake
measures with the same interface (``apps.common.measures``), computed from the enterprise registry, so that each
value has a list (``/enterprises/?status=operating&township=…``) whose row count can be checked.
"""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common import measures as registry
from apps.common.measures import COUNT, RATIO, Measure, MeasureValue
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.inspections.fieldwork.services.results import result_finalise
from tests.dashboard.test_counts_agree import rows_behind
from tests.helpers.queries import assert_constant_queries
from tests.inspections.factories import make_enterprise
from tests.inspections.fieldwork_helpers import field_fixture  # noqa: F401  (the `field` fixture)

pytestmark = pytest.mark.django_db

SUNSHINE = "enterprises.sunshine_kitchen_online"  # a RATIO with a per-township target of 100
CENTRES = "enterprises.rural_banquet_centres"  # a COUNT with a city target of 150


def _list_url(params: dict) -> str:
    return f"{reverse('enterprises:list')}?{urlencode(params)}"


def fake_operating_share(actor, *, year, township_ids, as_of):
    """RATIO: operating / all businesses (numerator's list: the operating ones; denominator's: all)."""
    visible = Enterprise.objects.visible_to(actor)
    out = {}
    for key in [*township_ids, None]:
        rows = visible if key is None else visible.filter(township_id=key)
        where = {} if key is None else {"township": str(key)}
        out[key] = MeasureValue(
            rows.filter(status=EnterpriseStatus.OPERATING).count(),
            rows.count(),
            url=_list_url({"status": "operating", **where}),
            denominator_url=_list_url(where) if where else reverse("enterprises:list"),
        )
    return out


def fake_count(actor, *, year, township_ids, as_of):
    """COUNT: operating businesses (a stand-in for the banquet centres)."""
    visible = Enterprise.objects.visible_to(actor).filter(status=EnterpriseStatus.OPERATING)
    out = {}
    for key in [*township_ids, None]:
        rows = visible if key is None else visible.filter(township_id=key)
        where = {} if key is None else {"township": str(key)}
        out[key] = MeasureValue(rows.count(), url=_list_url({"status": "operating", **where}))
    return out


@pytest.fixture
def fake_measures(monkeypatch):
    monkeypatch.setattr(registry, "_MEASURES", {})
    registry.register_measure(Measure(SUNSHINE, "阳光厨房（测试）", "%", RATIO, fake_operating_share, order=1))
    registry.register_measure(Measure(CENTRES, "家宴中心（测试）", "个", COUNT, fake_count, order=2))


@pytest.fixture
def city(fake_measures, township_a, township_b):
    for status in (EnterpriseStatus.OPERATING, EnterpriseStatus.OPERATING, EnterpriseStatus.CANCELLED):
        make_enterprise(township_a, status=status)
    for status in (EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED):
        make_enterprise(township_b, status=status)


def numbers_on(response) -> list[tuple[int, str]]:
    """Every (count shown, link) of a measure value or a clock on the page, from the context (not the HTML)."""
    ctx = response.context
    out = []

    def value(v):
        if v is None or v.value is None:
            return
        out.append((int(v.numerator), v.url))
        if v.denominator is not None and v.denominator_url:
            out.append((int(v.denominator), v.denominator_url))

    for k in ctx["kpis"]:
        value(k.scope.value)
        for _, cell in k.townships:
            value(cell.value)
    for t in ctx["trends"]:
        for _, v in t.points:
            value(v)
    for c in ctx["clocks"]:
        out.append((c.overdue.value, c.overdue.url))
        if c.due_soon:
            out.append((c.due_soon.value, c.due_soon.url))
    return out


# ------------------------------------------------------------------------------------------------ scope
def test_leader_sees_every_township_and_the_city(client, city, leader, township_a, township_b):
    client.force_login(leader)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    kpis = {k.code: k for k in response.context["kpis"]}
    assert kpis[SUNSHINE].scope.value.numerator == 3 and kpis[SUNSHINE].scope.value.denominator == 5
    assert kpis[SUNSHINE].scope.value.value == 60
    assert kpis[SUNSHINE].scope.state == "missed"  # 60 % against 100
    names = [t.name for t, _ in response.context["comparison"]]
    assert township_a.name in names and township_b.name in names and len(names) >= 12
    # the city target (150) is compared with the city only; a township's count is never "missed" against it
    centres = kpis[CENTRES]
    assert centres.scope.state == "missed" and {c.state for _, c in centres.townships} == {"none"}
    # a target whose measure is not registered yet shows as such, with no number
    missing = kpis["sampling.food_batches_per_1000"]
    assert not missing.registered and missing.scope.value is None
    assert "指标尚未登记" in response.content.decode()


def test_township_staff_see_their_own_township_only(client, city, staff_a, township_a, township_b):
    client.force_login(staff_a)
    response = client.get("/dashboard/?year=")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:township", args=[township_a.pk]) + "?year="
    response = client.get(response["Location"])
    assert response.status_code == 200
    kpis = {k.code: k for k in response.context["kpis"]}
    assert kpis[SUNSHINE].scope.value.numerator == 2 and kpis[SUNSHINE].scope.value.denominator == 3
    assert [t for t, _ in response.context["comparison"]] == [township_a]
    assert township_b.name not in response.content.decode()
    # another township's page does not exist for them
    assert client.get(reverse("dashboard:township", args=[township_b.pk])).status_code == 404
    assert client.get("/dashboard/townships/999999/").status_code == 404


def test_city_staff_open_any_township(client, city, city_staff, township_b):
    client.force_login(city_staff)
    response = client.get(reverse("dashboard:township", args=[township_b.pk]))
    assert response.status_code == 200
    kpis = {k.code: k for k in response.context["kpis"]}
    assert kpis[SUNSHINE].scope.value.numerator == 1 and kpis[SUNSHINE].scope.value.denominator == 2


def test_read_only_and_permission(client, city, leader, township_a, user_factory):
    urls = ["/dashboard/", reverse("dashboard:township", args=[township_a.pk])]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: the login page
        assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(user_factory("insp", "inspector", [township_a]))
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(leader)
    for url in urls:
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (method, url)


@pytest.mark.parametrize("year", ["abc", "1999", "3000", "20.5"])
def test_bad_year_is_a_chinese_400(client, city, leader, year):
    client.force_login(leader)
    response = client.get(f"/dashboard/?year={year}")
    assert response.status_code == 400
    assert re.search("年份应", response.content.decode())


# ------------------------------------------------------------------------------------------------ every number
@pytest.fixture
def clocks_at_risk(field, township_a):
    """A finalised result whose publication is overdue and one due in two days (the publication clock)."""
    today = timezone.localdate()
    result = result_finalise(actor=field.user, result_id=field.complete_draft().pk)
    publication = result.publication
    publication.due_by = today - dt.timedelta(days=1)
    publication.save(update_fields=["due_by"])
    return publication


@pytest.mark.parametrize("actor", ["leader", "city_staff", "staff_a"])
def test_every_number_opens_a_list_of_exactly_its_rows(client, request, city, clocks_at_risk, actor, township_a):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.get("/dashboard/", follow=True)
    assert response.status_code == 200
    numbers = numbers_on(response)
    assert len(numbers) > 10
    publication_clock = response.context["clocks"][0]
    assert publication_clock.overdue.value == 1  # the overdue publication of 硖石 (in every actor's scope)
    for shown, url in numbers:
        assert url, "a number without a link"
        assert rows_behind(client, url) == shown, url
    # a city user's township page: the township filter is added to every clock's list
    if actor != "staff_a":
        response = client.get(reverse("dashboard:township", args=[township_a.pk]))
        for shown, url in numbers_on(response):
            assert f"township={township_a.pk}" in url
            assert rows_behind(client, url) == shown, url


def test_html_numbers_are_links(client, city, leader):
    """The values are shown as links on the page itself (not only in the context)."""
    client.force_login(leader)
    html = client.get("/dashboard/").content.decode()
    assert 'href="/enterprises/?status=operating"' in html
    assert 'id="leadership-chart-data"' in html and "<script>" not in html  # no inline script (CSP)


# ------------------------------------------------------------------------------------------------ query count
def test_query_count_does_not_grow_with_rows(client, city, leader, township_a, township_b):
    client.force_login(leader)

    def fetch():
        assert client.get("/dashboard/").status_code == 200

    def add_rows(n):
        for i in range(n):
            make_enterprise(township_a if i % 2 else township_b)

    assert_constant_queries(fetch, add_rows)


def test_trend_has_five_years_and_no_city_target_on_a_township(client, city, city_staff, township_a):
    client.force_login(city_staff)
    year = timezone.localdate().year
    trends = {t.code: t for t in client.get("/dashboard/").context["trends"]}
    assert [y for y, _ in trends[SUNSHINE].points] == list(range(year - 4, year + 1))
    assert trends[CENTRES].target == 150  # the city's target on the city overview
    trends = {t.code: t for t in client.get(reverse("dashboard:township", args=[township_a.pk])).context["trends"]}
    assert trends[CENTRES].target is None and trends[SUNSHINE].target == 100


# ------------------------------------------------------------------------------------------------ kept figures
def _sunshine_city(response):
    return next(k for k in response.context["kpis"] if k.code == SUNSHINE).scope.value.numerator


def test_figures_are_kept_per_caller_and_say_when_they_were_computed(
    client, city, leader, city_staff, staff_a, township_a, township_b, settings
):
    """DASHBOARD_CACHE_SECONDS: the second visit shows the first visit's figures and their time; ?fresh=1
    computes them again; another caller, or the same caller with another scope, never gets someone else's."""
    from django.core.cache import cache

    cache.clear()
    settings.DASHBOARD_CACHE_SECONDS = 300
    client.force_login(leader)
    first = client.get("/dashboard/")
    assert _sunshine_city(first) == 3
    html = first.content.decode()
    assert "5 分钟内再次打开显示这次统计" in html and "fresh=1" in html
    make_enterprise(township_a, status=EnterpriseStatus.OPERATING)
    kept = client.get("/dashboard/")
    assert kept.status_code == 200 and "kpis" not in kept.context  # nothing computed: the kept figures
    assert "3" in kept.content.decode() and kept.content.decode().count('class="lead-value"') > 0
    assert _sunshine_city(client.get("/dashboard/?fresh=1")) == 4  # computed again, and kept
    assert "kpis" not in client.get("/dashboard/").context
    # Another caller computes their own.
    client.force_login(city_staff)
    assert "kpis" in client.get("/dashboard/").context
    # A township user's figures are theirs: given a second township, the key changes (no stale scope).
    client.force_login(staff_a)
    url = reverse("dashboard:township", args=[township_a.pk])
    assert "kpis" in client.get(url).context and "kpis" not in client.get(url).context
    staff_a.townships.add(township_b)
    assert "kpis" in client.get(url).context


def test_figures_not_kept_when_the_setting_is_zero(client, city, leader, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(leader)
    html = client.get("/dashboard/").content.decode()
    assert "每次打开实时统计" in html and "fresh=1" not in html
    assert "kpis" in client.get("/dashboard/").context
