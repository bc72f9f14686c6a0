from apps.common.filters import AuditEventFilterSet, JobFilterSet, filter_queryset
from apps.common.models import AuditEvent, Job


def job_list(*, actor, filters=None):
    """Jobs the actor may see (their own; all with common.view_all_jobs), newest first, through ``JobFilterSet``."""
    return filter_queryset(JobFilterSet, Job.objects.visible_to(actor).select_related("created_by"), filters)


def job_get(*, actor, pk):
    return job_list(actor=actor).get(pk=pk)


def audit_event_list(*, actor, filters=None):
    """The audit log for the audit admin, newest first, through ``AuditEventFilterSet``."""
    if actor is None or not actor.is_authenticated or not actor.has_perm("common.view_auditevent"):
        return AuditEvent.objects.none()
    return filter_queryset(AuditEventFilterSet, AuditEvent.objects.select_related("actor").order_by("-seq"), filters)


def audit_events_for_object(*, actor, obj):
    """History of one object, shown on its detail page to anyone who may see the object itself."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")


def audit_chain_status(*, actor) -> dict:
    """Chain length, head hash and the last verification (an ``audit.verify`` event), for the audit admin."""
    from django.utils import timezone

    from apps.common.models import AuditChainHead

    if not actor.has_perm("common.view_auditevent"):
        return {}
    head = AuditChainHead.objects.filter(pk=1).first()
    last_verify = AuditEvent.objects.filter(action="audit.verify").order_by("-seq").first()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "length": head.last_seq if head else 0,
        "head_hash": head.last_hash if head else "",
        "last_verify": last_verify,
        "events_today": AuditEvent.objects.filter(occurred_at__gte=today).count(),
        "today": today.date(),  # /audit/?date_from=<today> lists the events_today rows
    }
