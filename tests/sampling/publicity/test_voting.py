"""你点我检 voting (issue 10 point 5): no account, one vote per voter cookie per topic per period, the IP rate limit
(429 with Retry-After, in Chinese), CSRF, the keyed hash, the atomic count."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.sampling.choices import TopicStatus
from apps.sampling.models import Vote, VoteTopic
from apps.sampling.publicity import voting
from apps.sampling.publicity.services import votes as vote_services
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(reference):
    today = timezone.localdate()
    return VoteTopic.objects.create(
        title="农贸市场豇豆农药残留",
        description="豇豆是农药残留不合格的高发品种",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=10),
    )


def _visit(client):
    response = client.get(reverse("public_sampling:votes"))
    assert response.status_code == 200
    return response


def _vote(client, topic, **extra):
    return client.post(reverse("public_sampling:vote", args=[topic.pk]), **extra)


def test_the_vote_page_needs_no_login_and_sets_a_long_lived_httponly_lax_cookie(topic):
    client = Client()
    response = _visit(client)
    html = response.content.decode()
    assert "农贸市场豇豆农药残留" in html and f'data-testid="count-{topic.pk}">0<' in html
    cookie = response.cookies[voting.VOTER_COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", cookie.value)
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) >= 365 * 24 * 3600
    # a second visit keeps the same id
    again = _visit(client)
    assert voting.VOTER_COOKIE not in again.cookies


def test_one_vote_per_cookie_per_topic_per_period_and_the_second_is_refused_kindly(topic):
    client = Client()
    _visit(client)
    first = _vote(client, topic)
    assert first.status_code == 302
    topic.refresh_from_db()
    assert topic.vote_count == 1 and Vote.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "投票成功" in page and "您已投票" in page

    second = _vote(client, topic)
    assert second.status_code == 409
    assert "您已为这个题目投过票了" in second.content.decode()
    topic.refresh_from_db()
    assert topic.vote_count == 1 and Vote.objects.count() == 1  # nothing written

    vote = Vote.objects.get()
    cookie_value = client.cookies[voting.VOTER_COOKIE].value
    assert vote.period == topic.opens_on.isoformat()
    assert vote.voter_key == voting.voter_key(cookie_value) and len(vote.voter_key) == 64
    assert cookie_value not in vote.voter_key  # the database keeps a keyed hash, never the cookie


def test_another_browser_and_a_cleared_cookie_each_count_once_more(topic):
    a, b = Client(), Client()
    _visit(a), _visit(b)
    assert _vote(a, topic).status_code == 302
    assert _vote(b, topic).status_code == 302
    a.cookies.pop(voting.VOTER_COOKIE)  # the documented trade-off: a cleared cookie is a new voter
    _visit(a)
    assert _vote(a, topic).status_code == 302
    topic.refresh_from_db()
    assert topic.vote_count == 3


def test_the_voter_key_is_an_hmac_under_the_server_secret():
    with override_settings(SECRET_KEY="one-secret-for-the-test-" * 3):
        first = voting.voter_key("A" * 32)
    with override_settings(SECRET_KEY="another-secret-for-the-test-" * 3):
        second = voting.voter_key("A" * 32)
    assert first != second and len(first) == 64
    with override_settings(SAMPLING_VOTE_SECRET="a-separate-vote-secret"):
        assert voting.voter_key("A" * 32) not in (first, second)


def test_a_post_without_a_voter_cookie_writes_nothing_and_gets_one(topic):
    client = Client()
    response = _vote(client, topic)
    assert response.status_code == 400
    assert "Cookie" in response.content.decode()
    assert voting.VOTER_COOKIE in response.cookies
    assert Vote.objects.count() == 0


def test_a_forged_cookie_value_is_not_an_id(topic):
    client = Client()
    client.cookies[voting.VOTER_COOKIE] = "x" * 5 + "<script>"
    response = _vote(client, topic)
    assert response.status_code == 400 and Vote.objects.count() == 0


def test_the_ip_limit_answers_429_in_chinese_with_retry_after(topic):
    with override_settings(SAMPLING_VOTE_IP_LIMIT=3):
        clients = [Client(REMOTE_ADDR="203.0.113.7") for _ in range(4)]
        for c in clients:
            _visit(c)
        for c in clients[:3]:
            assert _vote(c, topic).status_code == 302
        limited = _vote(clients[3], topic)
        assert limited.status_code == 429
        text = limited.content.decode()
        assert "投票过于频繁" in text and "每小时最多提交 3 次" in text
        assert 0 < int(limited["Retry-After"]) <= 3600
        # another network is not limited by this one
        other = Client(REMOTE_ADDR="198.51.100.9")
        _visit(other)
        assert _vote(other, topic).status_code == 302
    topic.refresh_from_db()
    assert topic.vote_count == 4  # the refused one wrote nothing


def test_repeats_count_against_the_ip_limit_too(topic):
    with override_settings(SAMPLING_VOTE_IP_LIMIT=2):
        client = Client(REMOTE_ADDR="203.0.113.8")
        _visit(client)
        assert _vote(client, topic).status_code == 302
        assert _vote(client, topic).status_code == 409
        assert _vote(client, topic).status_code == 429


def test_the_ip_window_rolls_over(topic):
    now = timezone.now()
    with override_settings(SAMPLING_VOTE_IP_LIMIT=1):
        assert voting.ip_rate_take("203.0.113.9", now=now).allowed
        assert not voting.ip_rate_take("203.0.113.9", now=now).allowed
        later = now + dt.timedelta(seconds=voting.ip_window_seconds())
        assert voting.ip_rate_take("203.0.113.9", now=later).allowed


def test_the_rate_limit_lets_votes_through_when_the_cache_fails(topic, monkeypatch):
    from django.core import cache as cache_module

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache_module.cache, "incr", broken)
    assert voting.ip_rate_take("203.0.113.10").allowed


def test_csrf_stays_on_for_the_vote(topic):
    client = Client(enforce_csrf_checks=True)
    _visit(client)
    refused = _vote(client, topic)
    assert refused.status_code == 403 and "表单已过期" in refused.content.decode()
    token = client.cookies["csrftoken"].value
    assert _vote(client, topic, data={"csrfmiddlewaretoken": token}).status_code == 302
    topic.refresh_from_db()
    assert topic.vote_count == 1


def test_closed_and_not_yet_open_topics_refuse_votes(topic):
    client = Client()
    _visit(client)
    topic.status = TopicStatus.CLOSED
    topic.save()
    response = _vote(client, topic)
    assert response.status_code == 409 and "投票已结束" in response.content.decode()
    future = VoteTopic.objects.create(
        title="下月题目",
        opens_on=timezone.localdate() + dt.timedelta(days=5),
        closes_on=timezone.localdate() + dt.timedelta(days=9),
    )
    response = _vote(client, future)
    assert response.status_code == 409 and "开始投票" in response.content.decode()
    past = VoteTopic.objects.create(
        title="上月题目",
        opens_on=timezone.localdate() - dt.timedelta(days=20),
        closes_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert _vote(client, past).status_code == 409
    assert _vote(client, type("T", (), {"pk": 999999})()).status_code == 404
    assert Vote.objects.count() == 0


def test_get_on_the_vote_url_is_not_allowed(topic):
    assert Client().get(reverse("public_sampling:vote", args=[topic.pk])).status_code == 405


def test_a_racing_duplicate_is_caught_by_the_unique_constraint(topic, monkeypatch):
    """Two submissions that both pass the pre-check: the database decides, nothing double-counts."""
    key = voting.voter_key("B" * 32)
    assert vote_services.vote_cast(topic_id=topic.pk, voter_key=key).recorded
    real_filter = Vote.objects.filter

    class NoRows:
        def exists(self):
            return False

    monkeypatch.setattr(Vote.objects, "filter", lambda *a, **k: NoRows())
    outcome = vote_services.vote_cast(topic_id=topic.pk, voter_key=key)
    monkeypatch.setattr(Vote.objects, "filter", real_filter)
    assert not outcome.recorded and "投过票" in outcome.message
    topic.refresh_from_db()
    assert topic.vote_count == 1 and Vote.objects.count() == 1
    with pytest.raises(IntegrityError):
        Vote.objects.create(topic=topic, period=topic.opens_on.isoformat(), voter_key=key)


def test_the_count_is_an_atomic_update_not_a_read_modify_write(topic):
    """A stale in-memory count does not overwrite votes recorded meanwhile."""
    stale = VoteTopic.objects.get(pk=topic.pk)
    for i in range(3):
        vote_services.vote_cast(topic_id=topic.pk, voter_key=voting.voter_key(f"{i}" * 32))
    outcome = vote_services.vote_cast(topic_id=stale.pk, voter_key=voting.voter_key("Z" * 32))
    assert outcome.recorded and outcome.topic.vote_count == 4
    topic.refresh_from_db()
    assert topic.vote_count == 4 == Vote.objects.filter(topic=topic).count()


def test_the_vote_page_runs_a_constant_number_of_queries(reference):
    client = Client()
    today = timezone.localdate()

    def add(n):
        for _ in range(n):
            VoteTopic.objects.create(
                title="题目", opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=5)
            )

    assert_constant_queries(lambda: client.get(reverse("public_sampling:votes")), add)
