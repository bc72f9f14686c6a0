"""Helpers of the 舆情 tests: an event at each stage, through the services (as the pages do)."""

import datetime as dt

from django.utils import timezone

from apps.incidents.opinion import services
from tests.conftest import make_user


def city_user():
    from apps.accounts.models import User

    return User.objects.filter(username="opinion-city").first() or make_user("opinion-city", "city_staff")


def new_event(township=None, *, hours_ago=1, discovered_at=None, actor=None, **data):
    fields = {
        "title": "网传某餐馆使用过期食材",
        "source": "online",
        "source_detail": "https://bbs.example.cn/t/123",
        "content": "网帖称某餐馆后厨使用过期食材。",
        "township": township,
        "discovered_at": discovered_at or timezone.now() - dt.timedelta(hours=hours_ago),
    }
    fields.update(data)
    return services.event_create(actor=actor or city_user(), data=fields)


def advance(event, to: str, *, responded_after_hours=1):
    """Through the pipeline to ``to`` (handling, responded, closed)."""
    actor = city_user()
    order = ["pending", "handling", "responded", "closed"]
    for step in order[order.index(event.status) + 1 : order.index(to) + 1]:
        if step == "handling":
            event = services.event_assess(actor=actor, event_id=event.pk, heat=3, risk="medium")
        elif step == "responded":
            at = min(event.discovered_at + dt.timedelta(hours=responded_after_hours), timezone.now())
            event = services.event_respond(actor=actor, event_id=event.pk, text="已发布核查情况", responded_at=at)
        elif step == "closed":
            event = services.event_close(actor=actor, event_id=event.pk, summary="舆情平息")
    return event
