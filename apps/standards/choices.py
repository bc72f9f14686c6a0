from django.db import models


class Sector(models.TextChoices):
    """The supervision sector a business type belongs to (decides check items and the risk table)."""

    PRODUCTION = "production", "生产"
    SALES = "sales", "销售"
    CATERING = "catering", "餐饮"


class CheckItemCategory(models.TextChoices):
    """抽查事项类别：一般检查事项 / 重点检查事项（国办发〔2015〕58号）。"""

    GENERAL = "general", "一般事项"
    KEY = "key", "重点事项"


class StandardPrefix(models.TextChoices):
    """标准代号 (DOMAIN.md §7.1)."""

    GB = "GB", "GB"
    GBT = "GB/T", "GB/T"
    DB33 = "DB33", "DB33"
    DBS33 = "DBS33", "DBS33"
    T = "T", "T"
    Q = "Q", "Q"
    NYT = "NY/T", "NY/T"
    SNT = "SN/T", "SN/T"
    KJ = "KJ", "KJ（快检方法）"


class StandardStatus(models.TextChoices):
    CURRENT = "current", "现行"
    UPCOMING = "upcoming", "即将实施"
    WITHDRAWN = "withdrawn", "废止"


class JudgementType(models.TextChoices):
    """How a result value is judged against a limit (DOMAIN.md §7.5)."""

    MAX = "max", "≤ 限量"
    MIN = "min", "≥ 限量"
    RANGE = "range", "限量范围内"
    NOT_DETECTED = "not_detected", "不得检出"
    MICRO = "micro", "微生物 n/c/m/M"


class CategoryLevel(models.IntegerChoices):
    """抽检食品分类的四级 (大类 / 亚类 / 次亚类 / 细类), separate from licence categories."""

    MAJOR = 1, "大类"
    SUB = 2, "亚类"
    MINOR = 3, "次亚类"
    DETAIL = 4, "细类"


class Verdict(models.TextChoices):
    """结果判定 of one test item and of a sample (DOMAIN.md §3.3)."""

    QUALIFIED = "qualified", "合格"
    UNQUALIFIED = "unqualified", "不合格"
    PROBLEM = "problem", "问题项"
