import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

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

    objects = ScopedUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("view_all_townships", "可查看全市各镇街数据"),
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
