"""抽查事项清单 (DOMAIN.md §2.2: item, legal basis, inspecting body, content, method, category, applicable entity types).

Later issues add the standards catalogue (Standard, TestItem) to this app.
"""

from django.db import models

from .choices import CheckItemCategory, Sector


class CheckItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_business_type(self, business_type):
        """Items that apply to a business type: listed for it (or its parent), or for its sector with no type list."""
        type_ids = [business_type.pk] + ([business_type.parent_id] if business_type.parent_id else [])
        return (
            self.filter(
                models.Q(business_types__in=type_ids)
                | (
                    models.Q(business_types__isnull=True)
                    & (models.Q(sector=business_type.sector) | models.Q(sector=""))
                )
            )
            .distinct()
            .order_by("order", "code")
        )


class CheckItem(models.Model):
    """One line of the 抽查事项清单. Reference data (not township-scoped): everyone who may inspect may read it."""

    code = models.CharField("事项编码", max_length=20, unique=True)
    item = models.CharField("检查事项", max_length=100)
    legal_basis = models.TextField("检查依据", help_text="法律、法规、规章条款")
    content = models.TextField("检查内容")
    method = models.CharField("检查方式", max_length=200, default="现场检查、查阅资料")
    sector = models.CharField(
        "适用监管环节",
        max_length=16,
        choices=Sector.choices,
        blank=True,
        help_text="留空表示适用全部环节；未列出适用业态时按环节适用",
    )
    business_types = models.ManyToManyField(
        "enterprises.BusinessType",
        verbose_name="适用业态",
        blank=True,
        related_name="check_items",
        help_text="留空表示适用所列监管环节的全部业态",
    )
    category = models.CharField(
        "事项类别", max_length=16, choices=CheckItemCategory.choices, default=CheckItemCategory.GENERAL
    )
    inspecting_body = models.CharField("检查实施主体", max_length=100, default="海宁市市场监督管理局")
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CheckItemQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=CheckItemCategory.values), name="checkitem_category_valid"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.item}"
