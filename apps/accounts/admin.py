"""Admin for accounts (at /manage/): scoped, audited, with the 三权分立 rules the admin form can enforce."""

from axes.admin import AccessAttemptAdmin as _AxesAttemptAdmin
from axes.admin import AccessFailureLogAdmin as _AxesFailureAdmin
from axes.admin import AccessLogAdmin as _AxesLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as _TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.common.admin import AuditedAdminMixin, DatedConfigAdmin, ReadOnlyAdminMixin, ScopedAdminMixin
from apps.common.audit import audit_record
from apps.common.exceptions import DomainError

from .models import ApiClient, PasswordPolicy, Township, TownshipPopulation, User
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE, ROLES
from .scopes import SCOPES
from .services import (
    ADMIN_ROLE_CONFLICT,
    api_client_create,
    api_client_revoke,
    password_reset,
    second_factor_reset,
)

ADMIN_ROLE_LABELS = frozenset(ROLE_BY_CODE[code].label for code in ADMIN_ROLE_CODES)


def admin_login(request, extra_context=None):
    """One login for the whole site: /manage/login/ goes to the lockout-protected login page."""
    if request.user.is_authenticated:  # logged in without admin access: refuse instead of looping through login
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


admin.site.login = admin_login

# A role is a group: a change of its permissions in the admin is an audit event with the before/after permission
# ids (AUD-01 "permission change"); Django's own GroupAdmin recorded nothing.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    pass


@admin.register(Township)
class TownshipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "name", "kind", "code", "is_active"]
    list_display_links = ["name"]
    list_filter = ["kind", "is_active"]
    ordering = ["order", "id"]


@admin.register(TownshipPopulation)
class TownshipPopulationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["township", "year", "population", "is_estimate", "source"]
    list_filter = ["year", "is_estimate", "township"]
    list_select_related = ["township"]
    ordering = ["year", "township__order"]


class UserChangeForm(DjangoUserAdmin.form):
    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None and len([g for g in groups if g.name in ADMIN_ROLE_LABELS]) > 1:
            raise ValidationError(ADMIN_ROLE_CONFLICT)
        return groups


@admin.register(User)
class UserAdmin(ScopedAdminMixin, AuditedAdminMixin, DjangoUserAdmin):
    form = UserChangeForm
    list_display = ["username", "full_name", "roles", "township_names", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "townships", "is_service_account"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        ("角色与镇街", {"fields": ("groups", "townships")}),
        (
            "状态",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_service_account",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
        ("特殊权限（仅超级用户可改）", {"fields": ("is_superuser", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)
    readonly_fields = ["password_changed_at", "last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions", "townships"]
    actions = ["reset_password", "reset_second_factor"]

    def has_reset_password_permission(self, request):
        return request.user.has_perm("accounts.reset_password")

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("accounts.reset_second_factor")

    @admin.action(description="重置密码（随机初始密码，首次登录须修改）", permissions=["reset_password"])
    def reset_password(self, request, queryset):
        rows = []
        for user in queryset:
            try:
                user, raw = password_reset(actor=request.user, user_id=user.pk)
            except DomainError as exc:
                self.message_user(request, f"{user}：{exc.message}", messages.ERROR)
                continue
            rows.append((user, raw))
        if not rows:
            return None
        response = TemplateResponse(
            request,
            "admin/accounts/user/password_reset.html",
            {**self.admin_site.each_context(request), "title": "密码已重置", "rows": rows, "opts": self.model._meta},
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="重置二次验证（验证器丢失；下次登录重新绑定）", permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                second_factor_reset(actor=request.user, user_id=user.pk)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{user}：{exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"已重置 {done} 个账户的二次验证，其已验证的会话随即失效。", messages.SUCCESS)

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(g.name for g in obj.groups.all()) or "—"

    @admin.display(description="所属镇街")
    def township_names(self, obj):
        return "、".join(t.name for t in obj.townships.all()) or "全市"

    def get_queryset(self, request):
        # SCOPE_PATH of User is the townships M2M: distinct() keeps a user in several visible townships to one row.
        return super().get_queryset(request).prefetch_related("groups", "townships").distinct()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return tuple(fs for fs in fieldsets if "is_superuser" not in fs[1]["fields"])

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_staff")  # follows the role (admin roles are staff), not a free switch
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=[r.label for r in ROLES]).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the administrator chose the initial password (AUTH-03)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the m2m guard (signals.py) backs clean_groups
        user = form.instance
        is_admin_role = any(g.name in ADMIN_ROLE_LABELS for g in user.groups.all())
        if not user.is_superuser and user.is_staff != is_admin_role:
            user.is_staff = is_admin_role  # the admin site is for the three admin roles only
            user.save(update_fields=["is_staff"])

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            User.objects.filter(pk=user.pk).update(must_change_password=True)  # set by someone else: change it
            audit_record(
                "admin.password_change", obj=user, actor=request.user, changes={"password": ["***", "***（已修改）"]}
            )
        return response


class ApiClientCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="权限范围", choices=[(k, f"{k} · {v[0]}") for k, v in SCOPES.items()], widget=forms.CheckboxSelectMultiple
    )
    city_wide = forms.BooleanField(label="可读全市数据", required=False, help_text="不勾选时只能访问下列镇街的数据")
    townships = forms.ModelMultipleChoiceField(
        label="镇街", queryset=Township.objects.order_by("order"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name"]

    def clean(self):
        data = super().clean()
        if not data.get("city_wide") and not data.get("townships"):
            raise ValidationError("请勾选“可读全市数据”或至少选择一个镇街。")
        return data


class ApiClientValidityFilter(admin.SimpleListFilter):
    """有效 = the token works now (active, not revoked, not expired): the rows of the home-page figure."""

    title = "令牌状态"
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return (("1", "有效"), ("0", "已失效（停用、吊销或过期）"))

    def queryset(self, request, queryset):
        valid = ApiClient.objects.active().values("pk")
        if self.value() == "1":
            return queryset.filter(pk__in=valid)
        if self.value() == "0":
            return queryset.exclude(pk__in=valid)
        return queryset


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Provincial platform clients: created and revoked through services; the token is shown once, never stored."""

    list_display = ["name", "token_prefix", "scope_list", "is_active", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [ApiClientValidityFilter, "is_active"]
    search_fields = ["name", "token_prefix"]
    actions = ["revoke"]
    fields = [
        "name",
        "token_prefix",
        "scopes",
        "user",
        "is_active",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_at",
    ]

    @admin.display(description="权限范围")
    def scope_list(self, obj):
        return "、".join(obj.scopes or []) or "—"

    def has_delete_permission(self, request, obj=None):
        """Revoked, never deleted: its audit trail and last use stay (revoke through the action above)."""
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "scopes", "city_wide", "townships"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable here; revocation is an action
        data = form.cleaned_data
        client, raw = api_client_create(
            name=data["name"],
            scopes=list(data["scopes"]),
            township_codes=[t.code for t in data.get("townships") or []],
            city_wide=bool(data.get("city_wide")),
            actor=request.user,
        )
        obj.pk = client.pk
        obj._state.adding = False
        obj._raw_token = raw

    def save_related(self, request, form, formsets, change):
        pass  # the service set everything

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(obj, "_raw_token", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        client = ApiClient.objects.get(pk=obj.pk)
        response = TemplateResponse(
            request,
            "admin/accounts/apiclient/token_created.html",
            {
                **self.admin_site.each_context(request),
                "title": "接口客户端已创建",
                "client": client,
                "token": raw,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="吊销所选接口客户端", permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for client in queryset:
            if client.revoked_at is None:
                api_client_revoke(client_id=client.pk, actor=request.user)
                count += 1
        self.message_user(request, f"已吊销 {count} 个接口客户端。", messages.SUCCESS)


@admin.register(PasswordPolicy)
class PasswordPolicyAdmin(DatedConfigAdmin):
    """The security admin's password policy (AUTH-02/03): a change is a new row from today on."""

    list_display = ["effective_from", "expiry_days", "history_count", "initial_password_hours"]


# ---------------------------------------------------------------- second factor and login records
# No one adds, edits or deletes an authenticator here (it would enrol a device for someone else, or drop their second
# factor unaudited): binding is the user's own first login, the reset is the security admin's audited action above.
# django-axes' logs are evidence: read-only. Removing a lock (an AccessAttempt row) is allowed and audited.
for _model, _base, _mixin in (
    (TOTPDevice, _TOTPDeviceAdmin, ReadOnlyAdminMixin),
    (AccessFailureLog, _AxesFailureAdmin, ReadOnlyAdminMixin),
    (AccessLog, _AxesLogAdmin, ReadOnlyAdminMixin),
    (AccessAttempt, _AxesAttemptAdmin, AuditedAdminMixin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (_mixin, _base), {"__module__": __name__}))
