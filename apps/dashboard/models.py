"""The dashboard has no data of its own (its figures come from the other apps' selectors and measures). This model
only carries the permission of the leadership dashboard (驾驶舱): no table is created (``managed = False``)."""

from django.db import models


class LeadershipDashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_leadership", "查看领导驾驶舱（全市或本镇街，只读）")]
        verbose_name = "领导驾驶舱"
        verbose_name_plural = "领导驾驶舱"

    def __str__(self):
        return "领导驾驶舱"
