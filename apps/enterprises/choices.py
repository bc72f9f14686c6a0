from django.db import models

# Sector lives in standards (check items and risk tables are keyed by it); re-exported for the registry.
from apps.standards.choices import Sector  # noqa: F401


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", "营业"
    SUSPENDED = "suspended", "停业"
    CANCELLED = "cancelled", "注销"


class Scale(models.TextChoices):
    MICRO = "micro", "微型"
    SMALL = "small", "小型"
    MEDIUM = "medium", "中型"
    LARGE = "large", "大型"


class AreaType(models.TextChoices):
    URBAN = "urban", "城区"
    RURAL = "rural", "农村"


class LicenceKind(models.TextChoices):
    SC = "SC", "食品生产许可证"
    JY = "JY", "食品经营许可证"
    YB = "YB", "仅销售预包装食品备案"
    DJ = "DJ", "小作坊/小餐饮/小食杂店登记证"
    DK = "DK", "食品摊贩登记卡"


class BrandTag(models.TextChoices):
    PINZIBIAO = "pinzibiao", "品字标"
    GI = "gi", "地理标志"
