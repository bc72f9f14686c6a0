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
