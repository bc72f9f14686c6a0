"""Pages of the registry (检查对象名录): list with filters, count and Excel export; detail with licences and
history; create / edit / 停业·注销 / 恢复营业; licences. Reads go through selectors, writes through services;
everything is scoped to the user's township(s) (a row outside it is a 404 page).
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Township
from apps.common import sections
from apps.common.exceptions import DomainError
from apps.common.labels import audit_action_label
from apps.common.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
)
from apps.common.views_export import ExportDownloadView, FilteredExportView

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


def _import_url() -> str | None:
    """The Excel import page, when the import is installed (apps/enterprises/imports.py)."""
    from django.urls import NoReverseMatch

    try:
        return reverse("enterprises:import")
    except NoReverseMatch:
        return None


class EnterpriseExportView(FilteredExportView):
    """The Excel export of the filtered list: at once up to ``sync_max_rows`` rows, else a background job."""

    permission_required = "enterprises.export_enterprise"
    selector = staticmethod(enterprise_list)
    export = staticmethod(enterprise_export)
    job_kind = EXPORT_JOB_KIND
    title = "检查对象名录"
    ascii_name = "enterprises"
    list_url_name = "enterprises:list"


class EnterpriseExportDownloadView(ExportDownloadView):
    """The file of a finished export job (jobs are visible to their creator only)."""

    permission_required = "enterprises.export_enterprise"
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "enterprises"


def _list_url() -> str:
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


class EnterpriseDetailView(ScopedDetailView):
    """One enterprise: licences, flags, its change records and the sections other apps contribute."""

    permission_required = "enterprises.view_enterprise"
    selector = staticmethod(enterprise_get)
    context_object_name = "ent"
    template_name = "enterprises/detail.html"

    def get_context_data(self, **kwargs):
        request, ent = self.request, self.object
        show_phone = can_see_phone(request.user)
        events = list(enterprise_history(actor=request.user, enterprise=ent)[:100])
        import_rows = enterprise_import_rows(enterprise=ent, event_ids=[ev.pk for ev in events])
        today = timezone.localdate()
        context = super().get_context_data(**kwargs)
        context.update(
            phone_display=ent.contact_phone if show_phone or not ent.contact_phone else mask_phone(ent.contact_phone),
            licences=list(ent.licences.all()),
            categories=list(ent.food_categories.all()),
            flags=_flags(ent),
            history=_history(events, show_phone=show_phone, import_rows=import_rows),
            can_change=request.user.has_perm("enterprises.change_enterprise")
            and ent.status != EnterpriseStatus.CANCELLED,
            today=today,
            soon=today + dt.timedelta(days=30),
            deactivate_form=DeactivateForm(initial={"version": ent.version}),
            # risk grade, tasks, inspections, rectifications, publications: contributed by the apps that own them
            sections=sections.render_sections("enterprise", request, ent),
        )
        return context


# ------------------------------------------------------------------------------------------------ create / edit
class EnterpriseCreateView(ScopedFormView):
    permission_required = "enterprises.add_enterprise"
    form_class = EnterpriseForm
    template_name = "enterprises/form.html"
    extra_context = {"ent": None}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        try:
            ent = enterprise_create(actor=self.request.user, data=form.service_data())
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已新建检查对象“{ent.name}”。")
        return redirect("enterprises:detail", ent.pk)


class _EnterpriseFormView(ScopedObjectMixin, ScopedFormView):
    """A form about one enterprise (``ent`` in the template); a cancelled one cannot be edited any more."""

    permission_required = "enterprises.change_enterprise"
    selector = staticmethod(enterprise_get)
    context_object_name = "ent"


class EnterpriseEditView(_EnterpriseFormView):
    form_class = EnterpriseForm
    template_name = "enterprises/form.html"
    stale = False

    def check_object(self):
        if self.object.status == EnterpriseStatus.CANCELLED:
            messages.warning(self.request, "已注销的检查对象不能再修改。")
            return redirect("enterprises:detail", self.object.pk)
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "stale": self.stale}

    def form_valid(self, form):
        try:
            enterprise_update(
                actor=self.request.user,
                enterprise_id=self.object.pk,
                data=form.service_data(),
                expected_version=form.expected_version,
            )
        except Enterprise.DoesNotExist:
            raise Http404 from None
        except DomainError as exc:
            self.stale = exc.code == "precondition_failed"
            if self.stale:
                form.add_error(None, exc.message)
            else:
                apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "已保存修改。")
        return redirect("enterprises:detail", self.object.pk)


# ------------------------------------------------------------------------------------------------ status
class EnterpriseDeactivateView(_EnterpriseFormView):
    form_class = DeactivateForm
    template_name = "enterprises/deactivate.html"

    def get_initial(self):
        return {"version": self.object.version}

    def form_valid(self, form):
        ent = self.object
        try:
            enterprise_deactivate(
                actor=self.request.user,
                enterprise_id=ent.pk,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except Enterprise.DoesNotExist:
            raise Http404 from None
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        status = dict(EnterpriseStatus.choices)[form.cleaned_data["status"]]
        messages.success(self.request, f"已将“{ent.name}”设为{status}。")
        return redirect("enterprises:detail", ent.pk)


class _EnterpriseActionView(ScopedObjectMixin, ScopedActionView):
    """A button on the enterprise page; back to that page."""

    permission_required = "enterprises.change_enterprise"
    selector = staticmethod(enterprise_get)

    def get_redirect_url(self):
        return reverse("enterprises:detail", args=[self.object.pk])


class EnterpriseReactivateView(_EnterpriseActionView):
    def act(self):
        enterprise_reactivate(
            actor=self.request.user, enterprise_id=self.object.pk, expected_version=self.request.POST.get("version")
        )
        messages.success(self.request, "已恢复营业。")


# ------------------------------------------------------------------------------------------------ licences
def _licence_of(ent: Enterprise, licence_id) -> Licence:
    for lic in ent.licences.all():
        if str(lic.pk) == str(licence_id):
            return lic
    raise Http404("未找到该证照")


class LicenceAddView(_EnterpriseFormView):
    form_class = LicenceForm
    template_name = "enterprises/licence_form.html"
    extra_context = {"licence": None}

    def get_initial(self):
        return {"version": self.object.version}

    def form_valid(self, form):
        try:
            licence_add(
                actor=self.request.user,
                enterprise_id=self.object.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "已添加证照。")
        return redirect("enterprises:detail", self.object.pk)


class LicenceEditView(_EnterpriseFormView):
    form_class = LicenceForm
    template_name = "enterprises/licence_form.html"

    def check_object(self):
        self.licence = _licence_of(self.object, self.kwargs["licence_id"])
        return None

    def get_initial(self):
        lic = self.licence
        return {
            "kind": lic.kind,
            "number": lic.number,
            "issued_on": lic.issued_on,
            "expires_on": lic.expires_on,
            "version": self.object.version,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "licence": self.licence}

    def form_valid(self, form):
        try:
            licence_update(
                actor=self.request.user,
                licence_id=self.licence.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "已保存证照。")
        return redirect("enterprises:detail", self.object.pk)


class LicenceDeactivateView(_EnterpriseActionView):
    def act(self):
        lic = _licence_of(self.object, self.kwargs["licence_id"])
        licence_deactivate(
            actor=self.request.user, licence_id=lic.pk, expected_version=self.request.POST.get("version")
        )
        messages.success(self.request, f"已停用证照 {lic.number}。")
