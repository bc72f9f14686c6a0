"""Audit log pages for the audit admin: filtered, paginated list and the chain verification (POST)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.common.audit import audit_record, audit_verify
from apps.common.selectors import audit_event_list

PAGE_SIZE = 50

# Chinese names of the events recorded so far; unknown codes are shown as they are.
ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.locked_out": "账户锁定",
    "audit.verify": "校验审计链",
    "job.create": "创建后台任务",
    "job.done": "后台任务完成",
    "job.failed": "后台任务失败",
    "reference.load": "加载基础数据",
    "role.permissions_set": "设置角色权限",
    "user.demo_create": "创建演示账户",
    "api_client.create": "创建接口客户端",
    "api_client.revoke": "吊销接口客户端",
    "admin.add": "后台新增",
    "admin.change": "后台修改",
    "admin.delete": "后台删除",
    "calendar.year_set": "录入节假日安排",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="事件", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    obj = forms.CharField(label="对象", required=False, max_length=100, help_text="对象编号或名称")
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("success", "成功"), ("failure", "失败")]
    )
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + [(a, f"{action_label(a)}（{a}）") for a in actions]
        self.fields["object_type"].choices = [("", "全部")] + [(t, t) for t in object_types]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        if data.get("obj"):
            qs = qs.filter(Q(object_id=data["obj"]) | Q(object_repr__icontains=data["obj"]))
        if data.get("actor"):
            qs = qs.filter(Q(actor_repr__icontains=data["actor"]) | Q(actor__username=data["actor"]))
        if data.get("outcome"):
            qs = qs.filter(outcome=data["outcome"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(occurred_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
        if data.get("date_to"):
            qs = qs.filter(
                occurred_at__lt=dt.datetime.combine(data["date_to"], dt.time.min, tzinfo=tz) + dt.timedelta(days=1)
            )
        return qs


@login_required
@permission_required("common.view_auditevent", raise_exception=True)
def audit_list_view(request):
    events = audit_event_list(actor=request.user)
    actions = events.order_by("action").values_list("action", flat=True).distinct()
    object_types = (
        events.exclude(object_type="").order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=list(actions), object_types=list(object_types))
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "common/audit_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "filtered": bool(request.GET.dict().keys() - {"page"}),
        },
    )


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


@require_POST
@login_required
@permission_required("common.verify_audit_chain", raise_exception=True)
def audit_verify_view(request):
    report = audit_chain_verify(actor=request.user)
    if report.ok:
        messages.success(request, f"审计链完整：已逐条校验 {report.checked} 条记录，未发现篡改。")
    else:
        messages.error(
            request,
            f"审计链校验未通过：第 {report.first_broken_seq} 条记录处断开（{report.reason}）。请立即上报安全管理员。",
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "audit:list"
    return redirect(target)
