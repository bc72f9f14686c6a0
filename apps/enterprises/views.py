"""Pages of the registry (检查对象名录): list with filters, count and Excel export; detail with licences and
history; create / edit / 停业·注销 / 恢复营业; licences. Reads go through selectors, writes through services;
everything is scoped to the user's township(s) (a row outside it is a 404 page).
"""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Township
from apps.common import sections
from apps.common.exceptions import DomainError
from apps.common.jobs import job_create
from apps.common.labels import audit_action_label
from apps.common.selectors import job_get
from apps.common.viewmixins import ScopedListView

from .api.serializers import can_see_phone, mask_phone
from .choices import BrandTag, EnterpriseStatus
from .exports import export_file_path
from .filters import EnterpriseFilterSet
from .forms import DeactivateForm, EnterpriseFilterForm, EnterpriseForm, LicenceForm, apply_domain_error
from .job_handlers import EXPORT_JOB_KIND
from .models import BusinessType, Enterprise, FoodCategory, Licence
from .selectors import enterprise_get, enterprise_history, enterprise_import_rows, enterprise_list
from .services import (
    FIELD_LABELS,
    enterprise_create,
    enterprise_deactivate,
    enterprise_export,
    enterprise_reactivate,
    enterprise_update,
    licence_add,
    licence_deactivate,
    licence_update,
)

PAGE_SIZE = 25
EXPORT_SYNC_MAX_ROWS = 2000  # larger exports run as a background job (STYLE.md §3.7); openpyxl writes ~1-2 ms/row here


def _get_or_404(request, pk) -> Enterprise:
    try:
        return enterprise_get(actor=request.user, pk=pk)
    except Enterprise.DoesNotExist:
        raise Http404("未找到该检查对象") from None


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ------------------------------------------------------------------------------------------------ list + export
class EnterpriseListView(ScopedListView):
    """The registry list: ``enterprise_list`` through ``EnterpriseFilterSet`` (the API and the export use both too).

    The filter bar is ``EnterpriseFilterForm`` (it only draws the controls; the FilterSet filters).
    """

    permission_required = "enterprises.view_enterprise"
    selector = staticmethod(enterprise_list)
    filterset_class = EnterpriseFilterSet
    paginate_by = PAGE_SIZE
    template_name = "enterprises/list.html"

    def decorate_page(self, page):
        show_phone = can_see_phone(self.request.user)
        for ent in page:
            ent.phone_display = (
                ent.contact_phone if show_phone or not ent.contact_phone else mask_phone(ent.contact_phone)
            )
            active = [lic for lic in ent.licences.all() if lic.is_active and lic.expires_on]
            ent.next_expiry = min((lic.expires_on for lic in active), default=None)

    def get_filter_form(self):
        return EnterpriseFilterForm(self.request.GET or None, actor=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=context["filter_form"],
            today=timezone.localdate(),
            soon=timezone.localdate() + dt.timedelta(days=30),
            import_url=_import_url(),
        )
        return context


enterprise_list_view = EnterpriseListView.as_view()


def _import_url() -> str | None:
    """The Excel import page, when the import is installed (apps/enterprises/imports.py)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("enterprises:import")
    except NoReverseMatch:
        return None


@login_required
@permission_required("enterprises.export_enterprise", raise_exception=True)
def enterprise_export_view(request):
    try:
        count = enterprise_list(actor=request.user, filters=request.GET).count()
    except ValidationError:
        messages.error(request, "筛选条件有误，无法导出")
        return redirect(f"{_list_url()}?{_query_without_page(request)}")
    if count > EXPORT_SYNC_MAX_ROWS:
        job = job_create(
            kind=EXPORT_JOB_KIND,
            payload={"filters": {k: request.GET.getlist(k) for k in request.GET if k != "page"}},
            actor=request.user,
            title=f"导出检查对象名录（{count:,} 条）",
        )
        messages.info(request, f"共 {count:,} 条，已转为后台导出任务，完成后可在此页面下载。")
        return redirect("jobs:detail", job.pk)
    content, _ = enterprise_export(actor=request.user, params=request.GET)
    return _xlsx_response(content, _export_filename())


def _export_filename() -> str:
    return f"检查对象名录_{timezone.localtime():%Y%m%d_%H%M}.xlsx"


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=\"enterprises.xlsx\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("enterprises.export_enterprise", raise_exception=True)
def enterprise_export_download_view(request, job_id):
    try:
        job = job_get(actor=request.user, pk=job_id)  # jobs are visible to their creator only
    except Exception:
        raise Http404 from None
    path = export_file_path(job.pk)
    if job.kind != EXPORT_JOB_KIND or job.status != "done" or not path.exists():
        raise Http404("导出文件不存在或尚未生成")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename") or "export.xlsx")
    response["Cache-Control"] = "no-store"
    return response


def _list_url() -> str:
    from django.urls import reverse

    return reverse("enterprises:list")


# ------------------------------------------------------------------------------------------------ detail
# Short names on the enterprise's own 变更记录 (the object is implied); any other event gets its audit-log name.
ACTION_LABELS = {
    "enterprise.create": "新建",
    "enterprise.update": "修改",
    "enterprise.deactivate": "停业/注销",
    "enterprise.reactivate": "恢复营业",
    "enterprise.licence_add": "新增证照",
    "enterprise.licence_update": "修改证照",
    "enterprise.licence_deactivate": "停用证照",
}
HISTORY_LABELS = {
    **FIELD_LABELS,
    "township_id": "所属镇街",
    "business_type_id": "业态",
    "uscc_warning": "代码校验提示",
    "status_reason": "停业/注销原因",
    "deactivated_at": "停业/注销时间",
    "version": "版本",
    "licence": "证照",
    "licence.kind": "证照类型",
    "licence.number": "证照编号",
    "licence.issued_on": "发证日期",
    "licence.expires_on": "有效期至",
    "licence.check_warning": "证照校验提示",
    "licence.is_active": "证照有效",
}


LICENCE_KEYS = {"kind": "类型", "number": "编号", "issued_on": "发证日期", "expires_on": "有效期至"}


def _local_time(text: str) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(text)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(text)


def _display(key, value, names, show_phone):
    if value is None or value == "" or value == []:
        return "（空）"
    if key == "status":
        return EnterpriseStatus(value).label if value in EnterpriseStatus.values else value
    if key in ("township_id", "business_type_id"):
        return names[key].get(value, value)
    if key == "food_categories" and isinstance(value, list):
        return "、".join(names["food_categories"].get(code, code) for code in value)
    if key == "brand_tags":
        return "、".join(dict(BrandTag.choices).get(v, v) for v in value)
    if key == "contact_phone" and not show_phone:
        return mask_phone(str(value))
    if key == "deactivated_at":
        return _local_time(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):  # a licence snapshot
        dates = " 至 ".join(str(value[k]) for k in ("issued_on", "expires_on") if value.get(k))
        return f"{value.get('number', '')}" + (f"（{dates}）" if dates else "")
    return str(value)


def history_names() -> dict:
    """Names for the ids and codes held in change records (audit events, import rows)."""
    return {
        "township_id": dict(Township.objects.values_list("id", "name")),
        "business_type_id": dict(BusinessType.objects.values_list("id", "name")),
        "food_categories": dict(FoodCategory.objects.values_list("code", "name")),
    }


def _history(events, *, show_phone: bool, import_rows: dict | None = None) -> list[dict]:
    names = history_names()
    import_rows = import_rows or {}
    rows = []
    for ev in events:
        changes = []
        line = import_rows.get(ev.pk)  # an Excel import: this enterprise's row of it
        if ev.action != "enterprise.create":
            for key, pair in (line.changes if line is not None else ev.changes or {}).items():
                if key == "version" or not isinstance(pair, list | tuple) or len(pair) != 2:
                    continue
                old, new = (_display(key, v, names, show_phone) for v in pair)
                changes.append((HISTORY_LABELS.get(key, key), old, new))
        notes = []
        extra = ev.extra or {}
        if extra.get("reason"):
            notes.append(f"原因：{extra['reason']}")
        if extra.get("uscc_override_reason"):
            notes.append(f"校验位例外说明：{extra['uscc_override_reason']}")
        for item in extra.get("licences") or []:
            notes.append(f"证照 {item.get('licence')}：{item.get('change')}")
        if extra.get("licence"):
            notes.append(f"证照：{extra['licence']}")
        if extra.get("check_warning"):
            notes.append(f"校验提示：{extra['check_warning']}")
        label = ACTION_LABELS.get(ev.action) or audit_action_label(ev.action)
        if line is not None:
            label = "Excel 导入新增" if line.outcome == "new" else "Excel 导入更新"
            notes.append(f"文件 {extra.get('file') or '（未命名）'} 第 {line.row_number} 行")
        rows.append(
            {
                "event": ev,
                "label": label,
                "changes": changes,
                "notes": notes,
            }
        )
    return rows


def _flags(ent: Enterprise) -> list[tuple[str, bool, str]]:
    brands = [dict(BrandTag.choices).get(t, t) for t in ent.brand_tags or []]
    return [
        ("阳光厨房", ent.sunshine_kitchen, "已联网" if ent.sunshine_kitchen_online else ""),
        ("网络餐饮", ent.online_catering, ""),
        (
            "主体责任清单",
            ent.responsibility_list,
            f"{ent.responsibility_list_date:%Y-%m-%d}" if ent.responsibility_list_date else "",
        ),
        ("食品安全责任保险", ent.liability_insurance, ""),
        ("第三方评估", bool(ent.third_party_evaluator), ent.third_party_evaluator),
        ("冷链", ent.cold_chain, ""),
        ("品牌标识", bool(brands), "、".join(brands)),
    ]


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def enterprise_detail_view(request, pk):
    ent = _get_or_404(request, pk)
    show_phone = can_see_phone(request.user)
    events = list(enterprise_history(actor=request.user, enterprise=ent)[:100])
    import_rows = enterprise_import_rows(enterprise=ent, event_ids=[ev.pk for ev in events])
    today = timezone.localdate()
    return render(
        request,
        "enterprises/detail.html",
        {
            "ent": ent,
            "phone_display": ent.contact_phone
            if show_phone or not ent.contact_phone
            else mask_phone(ent.contact_phone),
            "licences": list(ent.licences.all()),
            "categories": list(ent.food_categories.all()),
            "flags": _flags(ent),
            "history": _history(events, show_phone=show_phone, import_rows=import_rows),
            "can_change": request.user.has_perm("enterprises.change_enterprise")
            and ent.status != EnterpriseStatus.CANCELLED,
            "today": today,
            "soon": today + dt.timedelta(days=30),
            "deactivate_form": DeactivateForm(initial={"version": ent.version}),
            # risk grade, tasks, inspections, rectifications, publications: contributed by the apps that own them
            "sections": sections.render_sections("enterprise", request, ent),
        },
    )


# ------------------------------------------------------------------------------------------------ create / edit
@login_required
@permission_required("enterprises.add_enterprise", raise_exception=True)
def enterprise_create_view(request):
    form = EnterpriseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ent = enterprise_create(actor=request.user, data=form.service_data())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已新建检查对象“{ent.name}”。")
            return redirect("enterprises:detail", ent.pk)
    return render(request, "enterprises/form.html", {"form": form, "ent": None})


@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def enterprise_edit_view(request, pk):
    ent = _get_or_404(request, pk)
    if ent.status == EnterpriseStatus.CANCELLED:
        messages.warning(request, "已注销的检查对象不能再修改。")
        return redirect("enterprises:detail", ent.pk)
    form = EnterpriseForm(request.POST or None, actor=request.user, instance=ent)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            enterprise_update(
                actor=request.user,
                enterprise_id=ent.pk,
                data=form.service_data(),
                expected_version=form.expected_version,
            )
        except Enterprise.DoesNotExist:
            raise Http404 from None
        except DomainError as exc:
            stale = exc.code == "precondition_failed"
            if stale:
                form.add_error(None, exc.message)
            else:
                apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("enterprises:detail", ent.pk)
    return render(request, "enterprises/form.html", {"form": form, "ent": ent, "stale": stale})


# ------------------------------------------------------------------------------------------------ status
@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def enterprise_deactivate_view(request, pk):
    ent = _get_or_404(request, pk)
    form = DeactivateForm(request.POST or None, initial={"version": ent.version})
    if request.method == "POST" and form.is_valid():
        try:
            enterprise_deactivate(
                actor=request.user,
                enterprise_id=ent.pk,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except Enterprise.DoesNotExist:
            raise Http404 from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, f"已将“{ent.name}”设为{dict(EnterpriseStatus.choices)[form.cleaned_data['status']]}。"
            )
            return redirect("enterprises:detail", ent.pk)
    return render(request, "enterprises/deactivate.html", {"form": form, "ent": ent})


@require_POST
@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def enterprise_reactivate_view(request, pk):
    ent = _get_or_404(request, pk)
    try:
        enterprise_reactivate(actor=request.user, enterprise_id=ent.pk, expected_version=request.POST.get("version"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已恢复营业。")
    return redirect("enterprises:detail", ent.pk)


# ------------------------------------------------------------------------------------------------ licences
@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def licence_add_view(request, pk):
    ent = _get_or_404(request, pk)
    form = LicenceForm(request.POST or None, initial={"version": ent.version})
    if request.method == "POST" and form.is_valid():
        try:
            licence_add(
                actor=request.user,
                enterprise_id=ent.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已添加证照。")
            return redirect("enterprises:detail", ent.pk)
    return render(request, "enterprises/licence_form.html", {"form": form, "ent": ent, "licence": None})


def _licence_of(ent: Enterprise, licence_id) -> Licence:
    for lic in ent.licences.all():
        if str(lic.pk) == str(licence_id):
            return lic
    raise Http404("未找到该证照")


@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def licence_edit_view(request, pk, licence_id):
    ent = _get_or_404(request, pk)
    lic = _licence_of(ent, licence_id)
    initial = {
        "kind": lic.kind,
        "number": lic.number,
        "issued_on": lic.issued_on,
        "expires_on": lic.expires_on,
        "version": ent.version,
    }
    form = LicenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            licence_update(
                actor=request.user,
                licence_id=lic.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存证照。")
            return redirect("enterprises:detail", ent.pk)
    return render(request, "enterprises/licence_form.html", {"form": form, "ent": ent, "licence": lic})


@require_POST
@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def licence_deactivate_view(request, pk, licence_id):
    ent = _get_or_404(request, pk)
    lic = _licence_of(ent, licence_id)
    try:
        licence_deactivate(actor=request.user, licence_id=lic.pk, expected_version=request.POST.get("version"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已停用证照 {lic.number}。")
    return redirect("enterprises:detail", ent.pk)
