from apps.common.models import AuditEvent, Job


def job_list(*, actor):
    return Job.objects.visible_to(actor).select_related("created_by")


def job_get(*, actor, pk):
    return job_list(actor=actor).get(pk=pk)


def audit_event_list(*, actor):
    if actor is None or not actor.is_authenticated or not actor.has_perm("common.view_auditevent"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor").order_by("-seq")


def audit_events_for_object(*, actor, obj):
    """History of one object, shown on its detail page to anyone who may see the object itself."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")
