import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from apps.common.models import InForceQuerySet
from apps.common.scoping import ScopedQuerySet


class TownshipKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"
    ZONE = "zone", "功能区"


class Township(models.Model):
    """镇/街道 of Haining (12, plus functional zones such as 尖山新区 if configured)."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=16, choices=TownshipKind.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "镇街"
        verbose_name_plural = "镇街"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class TownshipPopulation(models.Model):
    """Resident population (常住人口) of a township in a year: the denominator of quotas and per-1,000 KPIs."""

    township = models.ForeignKey(Township, verbose_name="镇街", on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField("年份")
    population = models.PositiveIntegerField("常住人口")
    is_estimate = models.BooleanField(
        "估算", default=True, help_text="统计部门数据替换前为估算值，页面和报表标注“估算”"
    )
    source = models.CharField("来源", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "镇街常住人口"
        verbose_name_plural = "镇街常住人口"
        ordering = ["year", "township__order"]
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="uniq_population_township_year")]

    def __str__(self):
        return f"{self.township} {self.year}: {self.population}"


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """Platform account. Township scoping via ``townships``; role via Django groups (apps.accounts.roles)."""

    SCOPE_PATH = "townships"

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    townships = models.ManyToManyField(Township, verbose_name="所属镇街", blank=True, related_name="users")
    is_service_account = models.BooleanField("接口服务账户", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # An initial or reset password (set by an administrator): to be changed at the first login (AUTH-03).
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("view_all_townships", "可查看全市各镇街数据"),
            ("reset_second_factor", "可重置账户的二次验证（安全管理员）"),
            ("reset_password", "可重置账户密码（系统管理员）"),
        ]

    def __str__(self):
        return self.full_name or self.username

    def township_ids(self) -> set[int]:
        cached = getattr(self, "_township_ids_cache", None)
        if cached is None:
            cached = set(self.townships.values_list("id", flat=True))
            self._township_ids_cache = cached
        return cached

    @property
    def role_codes(self) -> list[str]:
        from .roles import role_codes_for

        return role_codes_for(self)

    @property
    def role_label(self) -> str:
        from .roles import role_label_for

        return role_label_for(self)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiClientQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(is_active=True, revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiClient(models.Model):
    """A machine client (e.g. a provincial platform) with a hashed bearer token and scopes.

    Row scoping comes from its service ``user`` (townships / city-wide permission);
    ``scopes`` limit which endpoints it may call (e.g. ``enterprises:read``, ``inspections:write``).
    """

    name = models.CharField("名称", max_length=100, unique=True)
    user = models.OneToOneField(User, verbose_name="服务账户", on_delete=models.PROTECT, related_name="api_client")
    token_prefix = models.CharField("令牌前缀", max_length=12, unique=True)
    token_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ApiClientQuerySet.as_manager()

    # apps.common.api.clients recognises a client in request.auth by this mark (common does not import accounts).
    is_api_client = True

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"

    def __str__(self):
        return self.name

    @staticmethod
    def generate_token() -> str:
        return "hn_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(raw: str) -> str:
        return _hash_token(raw)

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class PasswordPolicy(models.Model):
    """Password expiry, history and initial-password lifetime, as configuration with an effective date (AUTH-02/03).

    Without a row in force the defaults of settings (PASSWORD_EXPIRY_DAYS, PASSWORD_HISTORY_COUNT,
    INITIAL_PASSWORD_HOURS) apply. Edited by the security admin (apps/accounts/admin.py, DatedConfigAdmin)."""

    effective_from = models.DateField("生效日期")
    expiry_days = models.PositiveSmallIntegerField(
        "密码有效期（天）", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    history_count = models.PositiveSmallIntegerField(
        "不得与最近几次密码相同", validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    initial_password_hours = models.PositiveSmallIntegerField(
        "初始/重置密码有效期（小时）", validators=[MinValueValidator(1), MaxValueValidator(168)]
    )

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "密码策略"
        verbose_name_plural = "密码策略"
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from"], name="uniq_password_policy_effective_from"),
            models.CheckConstraint(
                condition=models.Q(expiry_days__gte=1, expiry_days__lte=365), name="password_policy_expiry_bounds"
            ),
            models.CheckConstraint(
                condition=models.Q(history_count__gte=1, history_count__lte=24), name="password_policy_history_bounds"
            ),
            models.CheckConstraint(
                condition=models.Q(initial_password_hours__gte=1, initial_password_hours__lte=168),
                name="password_policy_initial_bounds",
            ),
        ]

    def __str__(self):
        return f"{self.effective_from} 起：有效期 {self.expiry_days} 天，不得重复最近 {self.history_count} 次"


class PasswordHistory(models.Model):
    """The hashes of a user's previous passwords (never the passwords): reuse of the last N is refused (AUTH-02)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class RecoveryCode(models.Model):
    """One-time recovery code of the second factor: only its SHA-256 is kept; ``used_at`` marks it spent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField("恢复码哈希", max_length=64, unique=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "二次验证恢复码"
        verbose_name_plural = "二次验证恢复码"

    def __str__(self):
        return f"{self.user_id}: {'已使用' if self.used_at else '未使用'}"
