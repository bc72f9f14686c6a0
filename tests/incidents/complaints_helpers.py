"""Helpers of the complaint tests: a complaint at each stage, through the services (as the pages do)."""

from django.utils import timezone

from apps.incidents.complaints import services
from tests.conftest import make_user


def officer():
    from apps.accounts.models import User

    return User.objects.filter(username="helper-officer").first() or make_user("helper-officer", "complaint_officer")


def new_complaint(
    township=None,
    *,
    kind="report",
    enterprise=None,
    address="",
    identity=None,
    received_at=None,
    content="后厨老鼠乱窜",
):
    data = {
        "kind": kind,
        "channel": "12345",
        "content": content,
        "township": township,
        "enterprise": enterprise,
        "address": address,
    }
    data.update(identity or {})
    return services.complaint_create(actor=officer(), data=data, received_at=received_at)


def advance(c, to: str, *, township=None, upheld=True):
    """Through the pipeline to ``to`` (accepted, routed, handling, closed, fed_back)."""
    actor = officer()
    order = ["pending", "accepted", "routed", "handling", "closed", "fed_back"]
    for step in order[order.index(c.status) + 1 : order.index(to) + 1]:
        if step == "accepted":
            c = services.complaint_accept(actor=actor, complaint_id=c.pk, note="属于本局职责")
        elif step == "routed":
            c = services.complaint_route(actor=actor, complaint_id=c.pk, township=township or c.township)
        elif step == "handling":
            c = services.complaint_start(actor=actor, complaint_id=c.pk)
        elif step == "closed":
            c = services.complaint_close(
                actor=actor, complaint_id=c.pk, upheld=upheld, result_text="现场检查，责令整改"
            )
        elif step == "fed_back":
            c = services.complaint_feedback(actor=actor, complaint_id=c.pk, feedback_text="已责令整改并立案查处")
    return c


def now():
    return timezone.now()
