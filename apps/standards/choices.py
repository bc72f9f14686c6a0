from django.db import models


class CheckItemCategory(models.TextChoices):
    """抽查事项类别：一般检查事项 / 重点检查事项（国办发〔2015〕58号）。"""

    GENERAL = "general", "一般事项"
    KEY = "key", "重点事项"
