"""The pages: a township sees only its own score and appeals only its own; the city decides; leadership reads;
forms submitted as a browser does; exports; constant query counts."""

from decimal import Decimal as D

import pytest

from apps.assessment.models import ScoreAppeal, StarRating
from apps.assessment.schemes import services
from tests.helpers.queries import assert_constant_queries

from .helpers import computed_round, indicator, pdf_upload, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(fake_measures, city_staff):
    return computed_round(city_staff)


def test_township_sees_only_its_own_score(client, rnd, staff_a, township_a, township_b):
    client.force_login(staff_a)
    page = client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert township_a.name in page and township_b.name not in page
    assert f"/assessment/rounds/{rnd.pk}/compute/" not in page
    own, other = score(rnd, township_a), score(rnd, township_b)
    assert client.get(f"/assessment/scores/{own.pk}/").status_code == 200
    assert client.get(f"/assessment/scores/{other.pk}/").status_code == 404
    r = client.post(
        f"/assessment/scores/{other.pk}/appeal/", {"indicator": indicator(rnd, "coverage_debt").pk, "reason": "x"}
    )
    assert r.status_code == 404 and not ScoreAppeal.objects.exists()


def test_drill_down_links_each_value_to_its_rows(client, rnd, city_staff, township_a):
    client.force_login(city_staff)
    page = client.get(f"/assessment/scores/{score(rnd, township_a).pk}/").content.decode()
    assert f'href="/rows/sampling.food_batches_per_1000/?township={township_a.pk}"' in page
    assert f'href="/den/?t={township_a.pk}"' in page
    assert "19.00" in page


def test_appeal_and_decision_through_the_pages(client, rnd, staff_b, city_staff, leader, township_b):
    s = score(rnd, township_b)
    client.force_login(staff_b)
    r = client.post(
        f"/assessment/scores/{s.pk}/appeal/", {"indicator": indicator(rnd, "coverage_debt").pk, "reason": ""}
    )
    assert r.status_code == 400 and "申诉理由" in r.content.decode()
    r = client.post(
        f"/assessment/scores/{s.pk}/appeal/",
        {"indicator": indicator(rnd, "coverage_debt").pk, "reason": "已注销企业不应计入"},
    )
    assert r.status_code == 302
    appeal = ScoreAppeal.objects.get()
    assert (
        client.post(
            f"/assessment/appeals/{appeal.pk}/decide/", {"decision": "rejected", "decision_reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(leader)
    assert client.get(f"/assessment/appeals/{appeal.pk}/").status_code == 200
    assert client.post(f"/assessment/appeals/{appeal.pk}/decide/", {"decision": "upheld"}).status_code == 403
    client.force_login(city_staff)
    form = {"decision": "upheld", "decision_reason": "核实属实", "corrected_value": "", "granted_points": ""}
    r = client.post(f"/assessment/appeals/{appeal.pk}/decide/", form)
    assert r.status_code == 400 and "二者填一项" in r.content.decode()
    r = client.post(f"/assessment/appeals/{appeal.pk}/decide/", {**form, "corrected_value": "4"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.total == D("14.00")


def test_leader_reads_everything_and_writes_nothing(client, rnd, leader, township_a, township_b):
    client.force_login(leader)
    page = client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert township_a.name in page and township_b.name in page
    assert client.post(f"/assessment/rounds/{rnd.pk}/compute/").status_code == 403
    assert client.get(f"/assessment/rounds/{rnd.pk}/close/").status_code == 403
    assert client.post("/assessment/rounds/new/", {"year": 2020}).status_code == 403


def test_close_preview_then_confirm_then_star_history(client, rnd, city_staff, staff_a, township_a):
    client.force_login(city_staff)
    page = client.get(f"/assessment/rounds/{rnd.pk}/close/").content.decode()
    assert "确认关闭" in page and "不可撤销" in page
    client.post(f"/assessment/rounds/{rnd.pk}/close/")  # not confirmed: nothing happens
    rnd.refresh_from_db()
    assert not rnd.is_closed
    r = client.post(f"/assessment/rounds/{rnd.pk}/close/", {"confirm": "yes"})
    assert r.status_code == 302
    rnd.refresh_from_db()
    assert rnd.is_closed and StarRating.objects.count() == 2
    r = client.post(f"/assessment/rounds/{rnd.pk}/verify/", follow=True)
    assert "复核结果一致：是" in r.content.decode()
    client.force_login(staff_a)
    page = client.get(f"/assessment/stars/?township={township_a.pk}&year=&stars=").content.decode()
    assert township_a.name in page and f"{rnd.year}" in page
    assert client.get("/assessment/stars/").content.decode().count("<tr>") == 2  # header + own row


def test_manual_value_form_as_a_browser_submits_it(client, rnd, staff_a, township_a):
    client.force_login(staff_a)
    ind = indicator(rnd, "coordinators")
    base = {"township": township_a.pk, "indicator": ind.pk, "value": "3", "note": ""}
    r = client.post(f"/assessment/rounds/{rnd.pk}/manual/", base)
    assert r.status_code == 400
    r = client.post(f"/assessment/rounds/{rnd.pk}/manual/", {**base, "evidence": pdf_upload()})
    assert r.status_code == 302
    page = client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert "花名册.pdf" in page
    from apps.assessment.models import ManualValue

    mv = ManualValue.objects.get()
    r = client.get(f"/assessment/manual/{mv.pk}/evidence/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")


def test_create_round_refuses_a_duplicate_year(client, rnd, city_staff):
    client.force_login(city_staff)
    r = client.post("/assessment/rounds/new/", {"year": rnd.year})
    assert r.status_code == 400 and "已经建立" in r.content.decode()
    r = client.post("/assessment/rounds/new/", {"year": "abc"})
    assert r.status_code == 400


def test_exports(client, rnd, city_staff, staff_a):
    client.force_login(city_staff)
    r = client.get(f"/assessment/rounds/{rnd.pk}/ranking.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(f"/assessment/rounds/{rnd.pk}/ranking.pdf")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # no pango: the page says so and sends the user back
        assert r.status_code == 302
    else:
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
    client.force_login(staff_a)
    assert client.get(f"/assessment/rounds/{rnd.pk}/ranking.xlsx").status_code == 403


def test_default_scheme_label_on_the_round_page(client, rnd, city_staff):
    client.force_login(city_staff)
    assert "默认方案，待市局确认" in client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()


def test_list_pages_constant_queries(client, fake_measures, city_staff, staff_b, township_b):
    client.force_login(city_staff)
    rounds = []

    def add_rounds(n):
        for _ in range(n):
            year = 2024 - len(rounds)
            rounds.append(computed_round(city_staff, year=year))

    assert_constant_queries(lambda: client.get("/assessment/rounds/"), add_rounds, first=1, second=3)

    def add_appeals(n):
        for r in rounds[:n]:
            if not ScoreAppeal.objects.filter(round=r).exists():
                services.appeal_file(
                    actor=staff_b,
                    round_id=r.pk,
                    township_id=township_b.pk,
                    indicator_id=indicator(r, "coverage_debt").pk,
                    reason="理由",
                )

    assert_constant_queries(lambda: client.get("/assessment/appeals/"), add_appeals, first=1, second=3)
    for r in rounds:
        for a in ScoreAppeal.objects.filter(round=r):
            services.appeal_decide(actor=city_staff, appeal_id=a.pk, decision="rejected", reason="否")

    closed = []

    def close(n):
        for r in rounds[len(closed) : len(closed) + n]:
            services.round_close(actor=city_staff, round_id=r.pk)
            closed.append(r)

    assert_constant_queries(lambda: client.get("/assessment/stars/"), close, first=1, second=3)
    assert_constant_queries(
        lambda: client.get(f"/assessment/rounds/{rounds[0].pk}/"), lambda n: None, first=1, second=1
    )


def test_a_scheme_in_force_is_read_only_in_the_admin(rf, reference, sys_admin):
    import datetime as dt

    from django.contrib import admin

    from apps.assessment.models import AssessmentScheme

    model_admin = admin.site._registry[AssessmentScheme]
    request = rf.get("/")
    request.user = type("Super", (), {"is_active": True, "is_staff": True, "has_perm": lambda self, p: True})()
    in_force = AssessmentScheme.objects.get(version=1)
    future = AssessmentScheme.objects.create(
        name="新方案",
        version=2,
        effective_from=dt.date.today() + dt.timedelta(days=30),
        star5_min=90,
        star4_min=80,
        star3_min=70,
        star2_min=60,
    )
    assert not model_admin.has_change_permission(request, in_force)
    assert not model_admin.has_delete_permission(request, in_force)
    assert model_admin.has_change_permission(request, future)
    inline = model_admin.get_inline_instances(request, in_force)[0]
    assert not inline.has_change_permission(request, in_force) and not inline.has_add_permission(request, in_force)
    assert inline.has_change_permission(request, future)
