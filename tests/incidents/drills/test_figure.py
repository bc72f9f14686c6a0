"""The figure the assessment reads: ``drills_per_township(actor, *, year)`` and the per-township table on the drill
list, each number linking to the drill list filtered to exactly those rows."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from apps.incidents.drills.selectors import drill_list_url, drills_per_township

from .helpers import make_drill

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_staff, staff_a, staff_b, township_a, township_b):
    this, last = dt.date.today().year, dt.date.today().year - 1
    for _ in range(3):
        make_drill(staff_a, township_a)
    make_drill(staff_a, township_a, date=dt.date(last, 6, 1))
    make_drill(staff_b, township_b)
    make_drill(city_staff, None)
    make_drill(city_staff, None)
    return this, last


def test_counts_per_township_and_year_within_scope(world, city_staff, staff_a, leader, township_a, township_b):
    this, last = world
    assert drills_per_township(city_staff, year=this) == {township_a.pk: 3, township_b.pk: 1, None: 2}
    assert drills_per_township(leader, year=last) == {township_a.pk: 1}
    assert drills_per_township(staff_a, year=this) == {township_a.pk: 3}  # only their own township


def _rows_on(client, url) -> int:
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    table = body.split('id="drill-table"')[1].split("</table>")[0]
    return table.count('data-label="演练情景"')


def test_each_number_links_to_exactly_its_rows(world, client, city_staff, staff_a, township_a):
    this, _ = world
    for actor in (city_staff, staff_a):
        client.force_login(actor)
        counts = drills_per_township(actor, year=this)
        body = client.get(reverse("incidents:drills")).content.decode()
        table = body.split('id="township-table"')[1].split("</ul>")[0]
        links = re.findall(r'<a href="([^"]+)" class="count-link[^"]*"[^>]*>(\d+)</a>', table)
        assert links, "the per-township table has no links"
        for href, shown in links:
            assert _rows_on(client, unescape(href)) == int(shown)
        for key, n in counts.items():
            assert _rows_on(client, drill_list_url(key, year=this)) == n


def test_the_township_filter_accepts_none_and_refuses_junk(world, client, city_staff):
    this, _ = world
    client.force_login(city_staff)
    assert _rows_on(client, f"{reverse('incidents:drills')}?township=none&year={this}") == 2
    bad = client.get(f"{reverse('incidents:drills')}?township=abc")
    assert bad.status_code == 200 and _rows_on(client, f"{reverse('incidents:drills')}?township=abc") == 0
    assert "选择一个有效的选项" in bad.content.decode() or "有效" in bad.content.decode()


def test_the_plan_pages_drill_count_links_to_its_drills(client, city_staff, staff_a, township_a):
    from .helpers import make_plan

    plan = make_plan(city_staff)
    make_drill(staff_a, township_a, plan=plan.pk)
    make_drill(staff_a, township_a, plan=plan.pk)
    make_drill(staff_a, township_a)
    client.force_login(city_staff)
    body = client.get(reverse("incidents:plan_detail", args=[plan.pk])).content.decode()
    href = unescape(re.search(r'href="([^"]+\?plan=\d+)"', body).group(1))
    assert "依据本预案的演练（2 次）" in body
    page = client.get(href).content.decode()
    assert _rows_on(client, href) == 2 and plan.title in page.split('id="drill-table"')[0]
