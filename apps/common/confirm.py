"""The confirm step of an irreversible action, rendered by templates/common/_confirm.html.

A page that previews what an action will do puts ``confirm=Confirm(...)`` in its context and includes the partial
below the preview. The partial posts ``confirm=yes`` (plus ``hidden``) with the CSRF token to ``action``; the view
does the action only for such a POST (``is_confirmed``) and sends any other POST back to the preview. No JavaScript.
"""

from dataclasses import dataclass, field


@dataclass
class Confirm:
    title: str  # "确认承诺公示"
    action: str  # URL the confirmation posts to
    button: str  # label of the confirm button
    cancel_url: str  # where "返回，不执行" leads
    consequences: list[str] = field(default_factory=list)  # what will happen, one line each
    blockers: list[str] = field(default_factory=list)  # why it cannot be confirmed now (button disabled)
    hidden: dict = field(default_factory=dict)  # e.g. {"version": 3}: the state the preview showed
    form: object = None  # a Django form whose fields are asked for in the box (a reason, a note)
    tone: str = "primary"  # Bootstrap colour of the box and button: primary, success, danger
    irreversible: bool = True


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"
