"""Pages: scoping (404 outside the township), permissions (403), forms post through services, constant queries."""

import datetime as dt

import pytest
from django.test import Client

from apps.common.models import Job
from apps.risk import services
from apps.risk.models import CreditClass, DynamicEvaluation, GradeOverride, RiskAssessment, RiskEvent
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def graded(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a, "school_canteen", ["C01", "C02"], "medium")
    services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 3, 1))
    return ent


def test_overview_shows_distribution_and_chart_data(staff_a, graded, enterprise_factory, township_b):
    enterprise_factory(township_b)  # other township: not counted for staff_a
    r = client_for(staff_a).get("/risk/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="risk-chart-data"' in html and "js/risk.js" in html and "<script>" not in html.replace(" ", "")
    dist = r.context["distribution"]
    assert [row["township"].code for row in dist["rows"]] == ["xiashi"]
    assert dist["totals"]["D"] == 1 and dist["totals"]["total"] == 1
    assert not r.context["can_regrade"]


def test_card_is_scoped(staff_a, staff_b, graded):
    assert client_for(staff_a).get(f"/risk/enterprises/{graded.pk}/").status_code == 200
    assert client_for(staff_b).get(f"/risk/enterprises/{graded.pk}/").status_code == 404
    assert client_for(staff_a).get("/risk/enterprises/999999/").status_code == 404


def test_card_needs_view_permission(user_without_perms, graded):
    assert client_for(user_without_perms).get(f"/risk/enterprises/{graded.pk}/").status_code == 403
    assert Client().get(f"/risk/enterprises/{graded.pk}/").status_code == 302  # to the login page


def test_card_query_count_is_constant(city_staff, graded):
    c = client_for(city_staff)

    def add(n):
        for i in range(n):
            RiskEvent.objects.create(
                enterprise=graded, event_type="failed_sample", occurred_on=dt.date(2024, 1, 1 + i), description="x"
            )
            CreditClass.objects.create(enterprise=graded, credit_class="B", source="s", as_of=dt.date(2024, 1, 1 + i))
            services.assessment_recompute(enterprise_id=graded.pk, actor=city_staff, on=dt.date(2025, 4, 1 + i))

    assert_constant_queries(lambda: c.get(f"/risk/enterprises/{graded.pk}/"), add)


def test_event_form_records_event(staff_a, graded):
    r = client_for(staff_a).post(
        f"/risk/enterprises/{graded.pk}/events/",
        {"event_type": "incident", "occurred_on": "2025-02-01", "description": "食物中毒事件", "source_ref": ""},
    )
    assert r.status_code == 302
    assert RiskEvent.objects.get(enterprise=graded).event_type == "incident"
    bad = client_for(staff_a).post(
        f"/risk/enterprises/{graded.pk}/events/", {"event_type": "incident", "occurred_on": "2999-01-01"}
    )
    assert bad.status_code == 400 and RiskEvent.objects.count() == 1


def test_override_via_pages_needs_second_person(staff_a, city_staff, graded):
    r = client_for(staff_a).post(
        f"/risk/enterprises/{graded.pk}/override/", {"to_grade": "C", "reason": "已整改并通过复查，申请下调"}
    )
    assert r.status_code == 302
    proposal = GradeOverride.objects.get()
    url = f"/risk/enterprises/{graded.pk}/override/{proposal.pk}/"
    assert client_for(staff_a).post(url, {"decision": "approve"}).status_code == 403
    r = client_for(city_staff).post(url, {"decision": "approve", "note": "同意"})
    assert r.status_code == 302
    assert RiskAssessment.objects.get(enterprise=graded, is_current=True).grade == "C"


def test_onsite_form_creates_evaluation(staff_a, graded):
    c = client_for(staff_a)
    page = c.get(f"/risk/enterprises/{graded.pk}/evaluate/")
    assert page.status_code == 200 and "item_c_staff" in page.content.decode()
    r = c.post(
        f"/risk/enterprises/{graded.pk}/evaluate/",
        {"evaluated_on": "2025-05-01", "item_c_staff": "2", "item_c_materials": "3.5", "item_c_processing": "0",
         "item_c_management": "1", "note": ""},
    )  # fmt: skip
    assert r.status_code == 302
    ev = DynamicEvaluation.objects.get()
    assert ev.item_scores == {"c_staff": 2, "c_materials": 3.5, "c_processing": 0, "c_management": 1}
    too_much = c.post(f"/risk/enterprises/{graded.pk}/evaluate/", {"evaluated_on": "2025-05-01", "item_c_staff": "13"})
    assert too_much.status_code == 400


def test_regrade_button_starts_job(city_staff, staff_a, graded, django_capture_on_commit_callbacks):
    assert client_for(staff_a).post("/risk/regrade/", {"year": 2025}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(city_staff).post("/risk/regrade/", {"year": 2025})
    job = Job.objects.get(kind="risk.regrade")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done"


def test_coverage_page_lists_overdue_per_township(staff_a, graded, no_inspection_sources):
    r = client_for(staff_a).get("/risk/coverage/")
    assert r.status_code == 200
    assert [c["township"] for c in r.context["counts"]] == ["硖石街道"]
    assert not r.context["has_source"]


def test_coverage_page_query_count_is_constant(city_staff, enterprise_factory, township_a):
    c = client_for(city_staff)
    assert_constant_queries(
        lambda: c.get("/risk/coverage/"), lambda n: [enterprise_factory(township_a) for _ in range(n)]
    )


def test_grade_list_filters_and_query_count(city_staff, enterprise_factory, township_a):
    c = client_for(city_staff)

    def add(n):
        for _ in range(n):
            e = enterprise_factory(township_a)
            services.assessment_recompute(enterprise_id=e.pk, actor=city_staff, on=dt.date(2025, 3, 1))

    assert_constant_queries(lambda: c.get("/risk/grades/?grade=A"), add)
    r = c.get("/risk/grades/?grade=D")
    assert r.status_code == 200 and r.context["page"].paginator.count == 0


def test_scheme_pages(city_staff, staff_a, cfda, samr):
    c = client_for(city_staff)
    assert c.get("/risk/schemes/").status_code == 200
    detail = c.get(f"/risk/schemes/{cfda.pk}/")
    assert detail.status_code == 200 and "就高不就低" in detail.content.decode()
    export = c.get(f"/risk/schemes/{cfda.pk}/export/")
    assert export.json()["code"] == "cfda-2016"
    r = c.post(f"/risk/schemes/{cfda.pk}/revise/", {"effective_from": "2027-01-01"})
    assert r.status_code == 302
    assert c.get(f"/risk/schemes/{cfda.pk}/edit/").status_code == 302  # published: not editable
    edit = c.get(f"/risk/schemes/{samr.pk}/edit/")
    assert edit.status_code == 200
    bad = c.post(f"/risk/schemes/{samr.pk}/edit/", {"data": '{"dynamic_max": 50}'})
    assert bad.status_code == 400
    assert (
        client_for(staff_a).post(f"/risk/schemes/{samr.pk}/activate/", {"effective_from": "2027-01-01"}).status_code
        == 403
    )


def test_home_counts_tag_renders_for_township_staff(staff_a, graded):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff_a
    html = Template("{% load risk_tags %}{% risk_coverage_counts %}").render(Context({"request": request}))
    assert "覆盖欠账" in html and "硖石街道" in html


def test_grade_list_untouched_form_equals_no_filter(city_staff, enterprise_factory, township_a, township_b, cfda):
    """Issue 8.1: the browser submits ?q=&township=&grade= — an empty field is no filter (AssessmentFilterSet)."""
    for township in (township_a, township_b):
        e = enterprise_factory(township)
        services.assessment_recompute(enterprise_id=e.pk, actor=city_staff, on=dt.date(2025, 3, 1))
    c = client_for(city_staff)
    plain = c.get("/risk/grades/")
    submitted = c.get("/risk/grades/", {"q": "", "township": "", "grade": ""})
    assert plain.context["page"].paginator.count == submitted.context["page"].paginator.count == 2
    assert not submitted.context["filter_errors"]
    only_b = c.get("/risk/grades/", {"q": "", "township": township_b.pk, "grade": ""})
    assert [a.enterprise.township_id for a in only_b.context["page"]] == [township_b.pk]
    bad = c.get("/risk/grades/", {"grade": "Z"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 0 and bad.context["filter_errors"]


def test_every_count_on_the_overview_links_to_its_rows(staff_a, graded, enterprise_factory, township_a):
    ungraded = enterprise_factory(township_a)
    c = client_for(staff_a)
    html = c.get("/risk/").content.decode()
    assert f'href="/risk/ungraded/?township={township_a.pk}"' in html and 'href="/risk/ungraded/">未评级 1 家' in html
    assert f"/enterprises/?township={township_a.pk}&amp;status=operating" in html
    page = c.get("/risk/ungraded/", {"township": township_a.pk})
    assert page.status_code == 200
    assert [s.enterprise_id for s in page.context["page"].object_list] == [ungraded.pk]
    assert c.get("/risk/ungraded/", {"township": "x"}).status_code == 200  # bad input: named, not a 500


def test_coverage_page_rows_are_stacked_cards_with_labels(staff_a, graded, no_inspection_sources):
    html = client_for(staff_a).get("/risk/coverage/").content.decode()
    assert html.count('class="table table-hover table-stack"') == 1 and 'data-label="原因"' in html
    assert "d-none" not in html.split('<table class="table table-hover table-stack">')[1].split("</table>")[0]


def test_coverage_page_filters_through_its_filterset(city_staff, enterprise_factory, township_a, township_b):
    """Township and reason (理由) are fields of CoverageDebtFilterSet, applied by the page's selector."""
    from django.utils import timezone

    from apps.enterprises.models import Enterprise
    from apps.risk import coverage

    long_ago = timezone.make_aware(dt.datetime(2015, 1, 1, 9))
    for township in (township_a, township_b):
        Enterprise.objects.filter(pk=enterprise_factory(township).pk).update(created_at=long_ago)
    coverage.coverage_refresh()
    c = client_for(city_staff)
    plain = c.get("/risk/coverage/")
    ids = [r.enterprise_id for r in plain.context["page"]]
    assert len(ids) == 2
    untouched = c.get("/risk/coverage/", {"township": "", "reason": ""})
    assert [r.enterprise_id for r in untouched.context["page"]] == ids and not untouched.context["filter_errors"]
    floor = c.get("/risk/coverage/", {"reason": "floor"}).context["page"]
    assert floor.paginator.count == 2 and all(any(x["code"] == "floor" for x in r.reasons) for r in floor)
    only_b = c.get("/risk/coverage/", {"township": township_b.pk}).context["page"]
    assert [r.township_id for r in only_b] == [township_b.pk] and only_b.paginator.count == 1
    assert c.get("/risk/coverage/", {"reason": "first"}).context["page"].paginator.count == 0
    unknown = c.get("/risk/coverage/", {"township": 999999})
    assert unknown.context["page"].paginator.count == 0 and not unknown.context["filter_errors"]
    bad = c.get("/risk/coverage/", {"reason": "bogus"})  # shown beside the form and ignored, as before
    assert bad.status_code == 200 and bad.context["filter_errors"] and bad.context["page"].paginator.count == 2
    assert "筛选条件有误（已忽略，显示全部）" in bad.content.decode()


def test_ungraded_and_override_lists_go_through_their_filtersets(staff_a, city_staff, graded, township_a):
    """Both lists read through their selector and FilterSet: a bad township is named beside the list (no rows, no
    500); an unknown override tab falls back to 待审批; the tab counts what the selector counts."""
    c = client_for(city_staff)
    bad = c.get("/risk/ungraded/", {"township": "x"})
    assert (
        bad.status_code == 200 and "筛选条件有误" in bad.content.decode() and bad.context["page"].paginator.count == 0
    )
    services.override_propose(
        enterprise_id=graded.pk, actor=staff_a, to_grade="A", reason="现场核查后风险明显降低，申请调整"
    )
    for params in ({}, {"status": "nonsense"}, {"status": "proposed"}):
        page = c.get("/risk/overrides/", params)
        assert page.status_code == 200 and page.context["status"] == "proposed"
        assert [o.enterprise_id for o in page.context["page"].object_list] == [graded.pk]
    decided = c.get("/risk/overrides/", {"status": "approved"})
    assert decided.context["status"] == "approved" and decided.context["page"].paginator.count == 0
