"""Who acts for a lab: ``Organisation.members``. A lab's staff and its API client's service account are members;
results are accepted only from members of the sample's lab (``results.results_submit``).

An operator links an API client to its lab with ``manage.py sampling_lab_member --lab <机构名称> --client <客户端名称>``
(after ``api_client_create --name … --scope sampling:results:write --city-wide``), or a staff account with
``--user <用户名>``; ``--remove`` unlinks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.common.audit import audit_record
from apps.common.exceptions import ValidationFailed
from apps.common.permissions import require_perm

from ...choices import OrganisationKind
from ...models import Organisation


@transaction.atomic
def lab_member_set(*, actor, lab_id, user_id, member: bool = True) -> Organisation:
    """Add (or with ``member=False`` remove) an account to a lab's members. City staff (``change_organisation``) or
    the system (a management command run by the operator)."""
    require_perm(actor, "sampling.change_organisation", system_allowed=True)
    try:
        lab = Organisation.objects.select_for_update().get(pk=lab_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed("未找到该检验机构", fields={"lab": ["不存在"]}) from None
    if lab.kind != OrganisationKind.LAB:
        raise ValidationFailed(f"“{lab.name}”不是检验机构", fields={"lab": ["不是检验机构"]})
    try:
        user = get_user_model().objects.get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise ValidationFailed("未找到该账户", fields={"user": ["不存在"]}) from None
    was = lab.members.filter(pk=user.pk).exists()
    if member and not was:
        lab.members.add(user)
    elif not member and was:
        lab.members.remove(user)
    if was != member:
        audit_record(
            "sampling.lab.member_set",
            obj=lab,
            actor=actor,
            changes={"member": [was, member]},
            extra={"user": user.pk, "username": user.username},
        )
    return lab
