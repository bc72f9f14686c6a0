"""Append-only guards for the draw tables (SECURITY.md AUD-04 / DRW-06).

The ORM refuses save() on an existing row, delete() and queryset update()/delete(); on PostgreSQL a row trigger
(migration 0002) refuses UPDATE and DELETE as well, so raw SQL cannot edit a draw either.
"""

from django.db import models

from apps.common.models import StatusTransitions  # noqa: F401  (the one copy, re-exported for the inspections models)


class DrawTableImmutable(PermissionError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise DrawTableImmutable("抽取记录只能追加，不能修改")

    def delete(self):
        raise DrawTableImmutable("抽取记录只能追加，不能删除")

    # bulk_update goes through update(); bulk_create (insert) stays allowed.


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DrawTableImmutable("抽取记录只能追加，不能修改")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DrawTableImmutable("抽取记录只能追加，不能删除")
