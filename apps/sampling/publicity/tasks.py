"""Thin Celery wrappers of sampling/publicity (STYLE.md §3.4); apps/sampling/tasks.py imports them so that Celery's
autodiscovery (which looks for ``<app>.tasks``) finds them. Schedules: settings ``CELERY_BEAT_SCHEDULE``."""

from celery import shared_task
from django.db import close_old_connections


@shared_task(name="sampling.publish_due")
def publish_due_task() -> dict:
    """Hourly: publish (一公开) the results whose publication deadline has come, and closed disposals' outcomes."""
    from .services.publications import samples_publish_due

    close_old_connections()
    done = samples_publish_due()
    return {"clocks_set": len(done["clocks_set"]), "published": len(done["published"])}


@shared_task(name="sampling.vote_topics_close_expired")
def vote_topics_close_expired_task() -> int:
    """Nightly: end the voting of 你点我检 topics whose window is over."""
    from .services.votes import topics_close_expired

    close_old_connections()
    return len(topics_close_expired())
