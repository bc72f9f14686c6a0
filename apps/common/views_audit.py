"""Audit log pages for the audit admin: filtered, paginated list and the chain verification (POST)."""

from django.contrib import messages
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme

from apps.common.audit import audit_record, audit_verify
from apps.common.filters import AuditEventFilterSet
from apps.common.labels import audit_action_label, audit_action_labels, object_type_label
from apps.common.selectors import audit_event_list
from apps.common.viewmixins import ScopedActionView, ScopedListView

PAGE_SIZE = 50


class AuditListView(ScopedListView):
    """The audit log: ``audit_event_list`` through ``AuditEventFilterSet``; events and object types in Chinese."""

    permission_required = "common.view_auditevent"
    selector = staticmethod(audit_event_list)
    filterset_class = AuditEventFilterSet
    paginate_by = PAGE_SIZE
    template_name = "common/audit_list.html"

    def decorate_page(self, page):
        actions = audit_action_labels()
        for event in page:
            event.action_label = actions.get(event.action) or audit_action_label(event.action)
            event.object_type_label = object_type_label(event.object_type) if event.object_type else ""


@transaction.atomic
def audit_chain_verify(*, actor):
    """Verify the whole chain and record who verified it and the outcome (itself an audit event)."""
    report = audit_verify()
    audit_record(
        "audit.verify",
        object_type="common.auditevent",
        object_repr="审计哈希链",
        actor=actor,
        outcome="success" if report.ok else "failure",
        extra={"checked": report.checked, "first_broken_seq": report.first_broken_seq, "reason": report.reason},
    )
    return report


class AuditVerifyView(ScopedActionView):
    """Verify the whole chain (POST); the outcome is a message on the page the button was on."""

    permission_required = "common.verify_audit_chain"

    def act(self):
        report = audit_chain_verify(actor=self.request.user)
        if report.ok:
            messages.success(self.request, f"审计链完整：已逐条校验 {report.checked} 条记录，未发现篡改。")
        else:
            messages.error(
                self.request,
                f"审计链校验未通过：第 {report.first_broken_seq} 条记录处断开（{report.reason}）。请立即上报安全管理员。",
            )

    def get_redirect_url(self):
        request = self.request
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "audit:list"
        return target
