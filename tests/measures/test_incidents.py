"""Incidents' measures (apps/incidents/measures.py): the three timeliness measures of the 时效考核 registry and the
drills held, each in a two-township world with hand-computed figures, scoping, links followed, query counts."""

import datetime as dt

import pytest
import time_machine

from apps.accounts.models import Township
from apps.incidents.complaints import services as complaint_services
from apps.incidents.models.emergencies import ReportKind
from tests.incidents.complaints_helpers import new_complaint, officer
from tests.incidents.drills.helpers import make_drill
from tests.incidents.emergencies.helpers import new_incident, report
from tests.incidents.opinion.helpers import advance as opinion_advance
from tests.incidents.opinion.helpers import new_event

from .helpers import assert_rows, queries, run, triple

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
H = dt.timedelta(hours=1)


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


NOW = at(2026, 6, 30)


def keys(a, b):
    return {"a": a.pk, "b": b.pk, None: None}


# ------------------------------------------------------------------------------------------------ complaints
@pytest.fixture
def complaints(township_a, township_b):
    """Received 1 June 2026 (acceptance due 9 June): A accepted on time, accepted late, undecided (late); B accepted
    on time, one received 29 June (inside its deadline: not counted); no township: rejected on time."""
    with time_machine.travel(at(2026, 6, 1), tick=False):
        a_on_time = new_complaint(township_a, received_at=at(2026, 6, 1))
        a_late = new_complaint(township_a, received_at=at(2026, 6, 1))
        new_complaint(township_a, received_at=at(2026, 6, 1))
        b_on_time = new_complaint(township_b, received_at=at(2026, 6, 1))
        no_township = new_complaint(None, received_at=at(2026, 6, 1))
        complaint_services.complaint_accept(actor=officer(), complaint_id=a_on_time.pk)
        complaint_services.complaint_accept(actor=officer(), complaint_id=b_on_time.pk)
        complaint_services.complaint_reject(actor=officer(), complaint_id=no_township.pk, reason="不属于本局职责")
    with time_machine.travel(at(2026, 6, 20), tick=False):
        complaint_services.complaint_accept(actor=officer(), complaint_id=a_late.pk)
    with time_machine.travel(at(2026, 6, 29), tick=False):
        new_complaint(township_b, received_at=at(2026, 6, 29))


def test_complaint_timeliness(complaints, township_a, township_b, client):
    # A 1 on time of 3; B 1 of 1; the city (the officer sees all, the no-township case included) 3 of 5
    expected = {"a": (1, 3, "33.33"), "b": (1, 1, "100.00"), None: (3, 5, "60.00")}
    with time_machine.travel(NOW, tick=False):
        actor = officer()
        out = run("incidents.complaint_timeliness", actor, [township_a.pk, township_b.pk], as_of=NOW.date())
        for name, key in keys(township_a, township_b).items():
            assert triple(out[key]) == expected[name], name
            assert_rows(client, actor, out[key].url, out[key].numerator)
            assert_rows(client, actor, out[key].denominator_url, out[key].denominator)


# ------------------------------------------------------------------------------------------------ 舆情
@pytest.fixture
def opinion(township_a, township_b):
    """Deadline 24 hours. A: responded after 1 h, responded after 30 h (late), pending for 30 h (late), found 2 h
    ago (inside: not counted). B: responded after 1 h. No township: responded after 1 h."""
    with time_machine.travel(NOW, tick=False):
        opinion_advance(new_event(township_a, hours_ago=48), "responded", responded_after_hours=1)
        opinion_advance(new_event(township_a, hours_ago=48), "responded", responded_after_hours=30)
        new_event(township_a, hours_ago=30)
        new_event(township_a, hours_ago=2)
        opinion_advance(new_event(township_b, hours_ago=48), "responded", responded_after_hours=1)
        opinion_advance(new_event(None, hours_ago=48), "responded", responded_after_hours=1)


def test_opinion_timeliness(opinion, township_a, township_b, city_staff, client):
    # A 1 of 3; B 1 of 1; city 3 of 5
    expected = {"a": (1, 3, "33.33"), "b": (1, 1, "100.00"), None: (3, 5, "60.00")}
    with time_machine.travel(NOW, tick=False):
        out = run("incidents.opinion_timeliness", city_staff, [township_a.pk, township_b.pk], as_of=NOW.date())
        for name, key in keys(township_a, township_b).items():
            assert triple(out[key]) == expected[name], name
            assert_rows(client, city_staff, out[key].url, out[key].numerator)


# ------------------------------------------------------------------------------------------------ incidents
@pytest.fixture
def incidents(township_a, township_b):
    """Deadline 2 hours. A: first report after 1 h, after 3 h (late), none after 5 h (late). B: after 1 h, and
    one learned 30 minutes ago (inside: not counted)."""
    with time_machine.travel(NOW, tick=False):
        learned = NOW - 5 * H
        report(new_incident(township_a, learned_at=learned), ReportKind.INITIAL, at=learned + H)
        report(new_incident(township_a, learned_at=learned), ReportKind.INITIAL, at=learned + 3 * H)
        new_incident(township_a, learned_at=learned)
        report(new_incident(township_b, learned_at=learned), ReportKind.INITIAL, at=learned + H)
        new_incident(township_b, learned_at=NOW - H / 2)


def test_incident_report_timeliness(incidents, township_a, township_b, city_staff, client):
    # A 1 of 3; B 1 of 1; city 2 of 4
    expected = {"a": (1, 3, "33.33"), "b": (1, 1, "100.00"), None: (2, 4, "50.00")}
    with time_machine.travel(NOW, tick=False):
        out = run("incidents.incident_report_timeliness", city_staff, [township_a.pk, township_b.pk], as_of=NOW.date())
        for name, key in keys(township_a, township_b).items():
            assert triple(out[key]) == expected[name], name
            assert_rows(client, city_staff, out[key].url, out[key].numerator)


TIMELINESS = {
    "incidents.complaint_timeliness": "complaints",
    "incidents.opinion_timeliness": "opinion",
    "incidents.incident_report_timeliness": "incidents",
}


@pytest.mark.parametrize("code", tuple(TIMELINESS))
def test_a_township_actor_counts_only_its_township(code, request, township_a, township_b, staff_a, client):
    request.getfixturevalue(TIMELINESS[code])
    with time_machine.travel(NOW, tick=False):
        out = run(code, staff_a, [township_a.pk, township_b.pk], as_of=NOW.date())
        assert triple(out[township_a.pk]) == (1, 3, "33.33")
        assert triple(out[None]) == (1, 3, "33.33")  # neither B's nor the no-township cases
        assert out[township_b.pk].numerator == 0
        assert_rows(client, staff_a, out[None].url, 1)


def test_an_earlier_day_says_the_clocks_are_todays(opinion, township_a, city_staff):
    with time_machine.travel(NOW, tick=False):
        out = run("incidents.opinion_timeliness", city_staff, [township_a.pk], as_of=dt.date(2026, 5, 31))
    assert out[township_a.pk].note


# ------------------------------------------------------------------------------------------------ drills
@pytest.fixture
def drills(township_a, township_b, city_staff):
    """A: 1 March, 1 June, 1 August (after as_of 30 June), and one last year; B: 1 February; city-level: 1 April."""
    with time_machine.travel(at(2026, 9, 1), tick=False):
        for day in (dt.date(2026, 3, 1), dt.date(2026, 6, 1), dt.date(2026, 8, 1), dt.date(2025, 5, 1)):
            make_drill(city_staff, township_a, date=day)
        make_drill(city_staff, township_b, date=dt.date(2026, 2, 1))
        make_drill(city_staff, None, date=dt.date(2026, 4, 1))


DRILLS_AS_OF = dt.date(2026, 6, 30)


def test_drills_held(drills, township_a, township_b, city_staff, client):
    # up to 30 June: A 2, B 1, city 4 (the city-level drill included)
    expected = {"a": (2, None, "2"), "b": (1, None, "1"), None: (4, None, "4")}
    with time_machine.travel(at(2026, 9, 1), tick=False):
        out = run("incidents.drills_held", city_staff, [township_a.pk, township_b.pk], as_of=DRILLS_AS_OF)
        for name, key in keys(township_a, township_b).items():
            assert triple(out[key]) == expected[name], name
            assert "date_to=2026-06-30" in out[key].url
            assert_rows(client, city_staff, out[key].url, out[key].numerator)
        # a closed year: every drill of 2026 (A 3), no day cut in the link
        year_end = run("incidents.drills_held", city_staff, [township_a.pk], as_of=dt.date(2026, 12, 31))
        assert year_end[township_a.pk].numerator == 3 and "date_to" not in year_end[township_a.pk].url


def test_drills_of_a_township_actor(drills, township_a, township_b, staff_a, client):
    with time_machine.travel(at(2026, 9, 1), tick=False):
        out = run("incidents.drills_held", staff_a, [township_a.pk, township_b.pk], as_of=DRILLS_AS_OF)
        assert out[township_a.pk].numerator == 2
        assert out[township_b.pk].numerator == 0
        assert_rows(client, staff_a, out[None].url, out[None].numerator)


# ------------------------------------------------------------------------------------------------ query counts
def _more_rows(code, townships, city_staff):
    for t in townships:
        if code == "incidents.complaint_timeliness":
            new_complaint(t, received_at=NOW - 20 * 24 * H)
        elif code == "incidents.opinion_timeliness":
            new_event(t, hours_ago=48)
        elif code == "incidents.incident_report_timeliness":
            new_incident(t, learned_at=NOW - 5 * H)
        else:
            make_drill(city_staff, t, date=dt.date(2026, 3, 1))


@pytest.mark.parametrize("code", [*TIMELINESS, "incidents.drills_held"])
def test_queries_do_not_grow_with_townships_or_rows(code, township_a, township_b, city_staff):
    ids = [township_a.pk, township_b.pk]
    actor = officer() if code == "incidents.complaint_timeliness" else city_staff
    with time_machine.travel(NOW, tick=False):
        _more_rows(code, [township_a, township_b], city_staff)
        two = queries(lambda: run(code, actor, ids, as_of=NOW.date()))
        more = list(Township.objects.exclude(pk__in=ids).order_by("order")[:4])
        _more_rows(code, more, city_staff)
        six = queries(lambda: run(code, actor, [*ids, *(t.pk for t in more)], as_of=NOW.date()))
    assert two == six
