"""你点我检 topics for city staff: create / edit / close with a voting window, category, township or city-wide;
列入计划 (preview → confirm) makes a plan line; the line's published results come back on the public page."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import LineOrigin, LineSource, SamplingPurpose, TopicStatus, Verdict
from apps.sampling.models import PlanLine, VoteTopic
from apps.sampling.publicity.services import votes as vote_services
from tests.factories.sampling import PlanLineFactory, SampleFactory, SamplingTaskFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import concluded, plan_of

pytestmark = pytest.mark.django_db


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _form(**values):
    """What a browser posts: every field, the untouched ones empty."""
    today = timezone.localdate()
    data = {
        "title": "小龙虾重金属",
        "description": "",
        "category": "",
        "township": "",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
    }
    data.update(values)
    return data


def _topic(**extra):
    today = timezone.localdate()
    values = {
        "title": "小龙虾重金属",
        "opens_on": today - dt.timedelta(days=10),
        "closes_on": today + dt.timedelta(days=5),
    }
    values.update(extra)
    return VoteTopic.objects.create(**values)


def test_city_staff_create_a_city_wide_topic_from_the_browser_form(city_staff):
    client = _signed_in(city_staff)
    assert client.get(reverse("sampling:topic_create")).status_code == 200
    response = client.post(reverse("sampling:topic_create"), _form())
    topic = VoteTopic.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sampling:topic_detail", args=[topic.pk])
    assert topic.township is None and topic.category is None and topic.status == TopicStatus.OPEN
    assert AuditEvent.objects.filter(action="sampling.votetopic_create", object_id=str(topic.pk)).exists()
    page = client.get(reverse("sampling:topics")).content.decode()
    assert "小龙虾重金属" in page and "全市" in page


def test_bad_topic_input_is_a_chinese_400_naming_the_field(city_staff, category, township_a):
    client = _signed_in(city_staff)
    today = timezone.localdate()
    cases = [
        (_form(title=""), "题目"),
        (
            _form(
                opens_on=(today - dt.timedelta(days=20)).isoformat(),
                closes_on=(today - dt.timedelta(days=10)).isoformat(),
            ),
            "不能早于今天",
        ),
        (
            _form(opens_on=(today + dt.timedelta(days=5)).isoformat(), closes_on=today.isoformat()),
            "不能早于投票开始日期",
        ),
        (_form(opens_on="2026-02-30"), "投票开始"),
        (_form(closes_on=(today + dt.timedelta(days=400)).isoformat()), "投票期最长"),
        (_form(category="999999"), "抽检分类"),
        (_form(title="a\u202eb"), "显示方向"),
    ]
    for data, expected in cases:
        response = client.post(reverse("sampling:topic_create"), data)
        assert response.status_code == 400, data
        assert expected in response.content.decode(), expected
    assert VoteTopic.objects.count() == 0
    ok = client.post(reverse("sampling:topic_create"), _form(category=str(category.pk), township=str(township_a.pk)))
    assert ok.status_code == 302
    assert VoteTopic.objects.get().township == township_a


def test_township_staff_and_leaders_read_but_do_not_manage_topics(staff_a, leader):
    topic = _topic()
    client = _signed_in(staff_a)
    assert client.get(reverse("sampling:topics")).status_code == 200
    assert client.get(reverse("sampling:topic_detail", args=[topic.pk])).status_code == 200
    assert client.get(reverse("sampling:topic_create")).status_code == 403
    assert client.post(reverse("sampling:topic_create"), _form()).status_code == 403
    assert client.get(reverse("sampling:topic_close", args=[topic.pk])).status_code == 403
    assert client.get(reverse("sampling:topic_adopt", args=[topic.pk])).status_code == 403
    assert _signed_in(leader).get(reverse("sampling:topics")).status_code == 403  # no view_votetopic


def test_edit_keeps_the_period_once_votes_exist(city_staff):
    topic = _topic()
    client = _signed_in(city_staff)
    data = _form(title="小龙虾重金属（镉）", opens_on=topic.opens_on.isoformat(), closes_on=topic.closes_on.isoformat())
    assert client.get(reverse("sampling:topic_edit", args=[topic.pk])).status_code == 200
    assert client.post(reverse("sampling:topic_edit", args=[topic.pk]), data).status_code == 302
    topic.refresh_from_db()
    assert topic.title == "小龙虾重金属（镉）"
    VoteTopic.objects.filter(pk=topic.pk).update(vote_count=3)
    moved = dict(data, opens_on=(topic.opens_on + dt.timedelta(days=1)).isoformat())
    response = client.post(reverse("sampling:topic_edit", args=[topic.pk]), moved)
    assert response.status_code == 400 and "已有投票" in response.content.decode()
    extended = dict(data, closes_on=(topic.closes_on + dt.timedelta(days=7)).isoformat())
    assert client.post(reverse("sampling:topic_edit", args=[topic.pk]), extended).status_code == 302


def test_closing_previews_then_confirms(city_staff):
    topic = _topic(vote_count=12)
    client = _signed_in(city_staff)
    preview = client.get(reverse("sampling:topic_close", args=[topic.pk]))
    assert (
        preview.status_code == 200
        and "确认结束投票" in preview.content.decode()
        and "12 票" in preview.content.decode()
    )
    # a POST without confirm=yes goes back to the preview and changes nothing
    assert client.post(reverse("sampling:topic_close", args=[topic.pk])).status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN
    client.post(reverse("sampling:topic_close", args=[topic.pk]), {"confirm": "yes"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.CLOSED and topic.closes_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="sampling.votetopic_close").count() == 1
    with pytest.raises(InvalidTransition):
        vote_services.topic_close(actor=city_staff, topic_id=topic.pk)
    edit = client.get(reverse("sampling:topic_edit", args=[topic.pk]))
    assert edit.status_code == 302  # a closed topic is not edited


def test_the_beat_closes_topics_whose_window_ended(reference):
    ended = _topic(
        opens_on=timezone.localdate() - dt.timedelta(days=9), closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    running = _topic()
    assert vote_services.topics_close_expired() == [ended.pk]
    ended.refresh_from_db(), running.refresh_from_db()
    assert ended.status == TopicStatus.CLOSED and running.status == TopicStatus.OPEN
    event = AuditEvent.objects.get(action="sampling.votetopic_close")
    assert event.extra["by"] == "beat"


def test_adoption_makes_a_vote_plan_line_and_marks_the_topic(city_staff, category, township_b, supervisory_plan):
    topic = _topic(status=TopicStatus.CLOSED, vote_count=321, category=category)
    client = _signed_in(city_staff)
    preview = client.get(reverse("sampling:topic_adopt", args=[topic.pk]))
    assert preview.status_code == 200 and "确认列入计划" in preview.content.decode()
    data = {"plan": str(supervisory_plan.pk), "township": "", "category": "", "month": "7", "batches": "6"}
    refused = client.post(reverse("sampling:topic_adopt", args=[topic.pk]), {**data, "confirm": "yes"})
    assert refused.status_code == 400 and "镇街" in refused.content.decode()  # a city-wide topic needs one
    assert not PlanLine.objects.exists()
    response = client.post(
        reverse("sampling:topic_adopt", args=[topic.pk]), {**data, "township": str(township_b.pk), "confirm": "yes"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    line = topic.plan_line
    assert topic.status == TopicStatus.ADOPTED
    assert (line.source, line.origin, line.origin_ref) == (LineSource.VOTE, LineOrigin.VOTE, f"vote-topic:{topic.pk}")
    assert (line.plan, line.township, line.category, line.month, line.batches) == (
        supervisory_plan,
        township_b,
        category,
        7,
        6,
    )
    assert "321 票" in line.note
    assert AuditEvent.objects.filter(action="sampling.votetopic_adopt").exists()
    assert AuditEvent.objects.filter(action="sampling.line_create", object_id=str(line.pk)).exists()
    with pytest.raises(InvalidTransition):
        vote_services.topic_adopt(actor=city_staff, topic_id=topic.pk, plan_id=supervisory_plan.pk, month=1, batches=1)


def test_adoption_refuses_open_topics_monitoring_plans_and_other_townships(
    city_staff, category, township_a, township_b, monitoring_plan, supervisory_plan
):
    open_topic = _topic(category=category, township=township_a)
    with pytest.raises(InvalidTransition, match="投票尚未结束"):
        vote_services.topic_adopt(
            actor=city_staff, topic_id=open_topic.pk, plan_id=supervisory_plan.pk, month=5, batches=2
        )
    topic = _topic(status=TopicStatus.CLOSED, category=category, township=township_a)
    with pytest.raises(ValidationFailed, match="风险监测") as exc:
        vote_services.topic_adopt(actor=city_staff, topic_id=topic.pk, plan_id=monitoring_plan.pk, month=5, batches=2)
    assert "plan" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        vote_services.topic_adopt(
            actor=city_staff,
            topic_id=topic.pk,
            plan_id=supervisory_plan.pk,
            month=5,
            batches=2,
            township_id=township_b.pk,
        )
    assert "township" in exc.value.fields
    for month, batches, field in ((13, 2, "month"), (5, 0, "batches"), ("x", 2, "month")):
        with pytest.raises(ValidationFailed) as exc:
            vote_services.topic_adopt(
                actor=city_staff, topic_id=topic.pk, plan_id=supervisory_plan.pk, month=month, batches=batches
            )
        assert field in exc.value.fields
    assert not PlanLine.objects.exists()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.CLOSED
    # the adoption form does not even offer the monitoring plan
    page = _signed_in(city_staff).get(reverse("sampling:topic_adopt", args=[topic.pk])).content.decode()
    assert supervisory_plan.name in page and monitoring_plan.name not in page


def test_results_of_the_adopted_line_are_published_back_on_the_public_page(
    city_staff, category, township_a, supervisory_plan
):
    topic = _topic(status=TopicStatus.CLOSED, category=category, township=township_a, vote_count=88)
    vote_services.topic_adopt(actor=city_staff, topic_id=topic.pk, plan_id=supervisory_plan.pk, month=6, batches=3)
    topic.refresh_from_db()
    line = topic.plan_line
    shown = concluded(line=line, conclusion=Verdict.UNQUALIFIED, published=True, name="小龙虾A")
    unpublished = concluded(line=line, name="小龙虾B")
    elsewhere = concluded(township=township_a, published=True, name="别的样品")
    html = Client().get(reverse("public_sampling:votes")).content.decode()
    adopted = html[html.index('id="adopted-topics"') :]
    assert "小龙虾重金属" in adopted and "88 票" in adopted
    assert reverse("public_sampling:result", args=[shown.number]) in adopted and "不合格" in adopted
    assert unpublished.name not in adopted and elsewhere.name not in adopted
    # the staff page of the topic lists the line's samples, published or not
    staff = _signed_in(city_staff).get(reverse("sampling:topic_detail", args=[topic.pk])).content.decode()
    assert "小龙虾A" in staff and "小龙虾B" in staff


def test_the_topic_list_runs_a_constant_number_of_queries(city_staff, supervisory_plan, township_a):
    client = _signed_in(city_staff)

    def add(n):
        for _ in range(n):
            line = PlanLineFactory(plan=supervisory_plan, township=township_a, source=LineSource.VOTE)
            _topic(status=TopicStatus.ADOPTED, plan_line=line, township=township_a)

    assert_constant_queries(lambda: client.get(reverse("sampling:topics")), add)


def test_the_public_page_with_adopted_topics_runs_a_constant_number_of_queries(supervisory_plan, township_a):
    client = Client()

    def add(n):
        for _ in range(n):
            line = PlanLineFactory(plan=supervisory_plan, township=township_a, source=LineSource.VOTE)
            _topic(status=TopicStatus.ADOPTED, plan_line=line)
            concluded(line=line, conclusion=Verdict.UNQUALIFIED, published=True)
            task = SamplingTaskFactory(plan_line=line)
            SampleFactory(task=task, is_quick_test=True, quick_test_result_at=timezone.now())

    assert_constant_queries(lambda: client.get(reverse("public_sampling:votes")), add)


def test_monitoring_plans_cannot_back_a_topic_even_through_a_forged_post(city_staff, category, monitoring_plan):
    topic = _topic(status=TopicStatus.CLOSED, category=category)
    response = _signed_in(city_staff).post(
        reverse("sampling:topic_adopt", args=[topic.pk]),
        {"plan": str(monitoring_plan.pk), "month": "3", "batches": "2", "township": "", "confirm": "yes"},
    )
    assert response.status_code == 400 and not PlanLine.objects.exists()
    assert plan_of(SamplingPurpose.EVALUATIVE).purpose == SamplingPurpose.EVALUATIVE
