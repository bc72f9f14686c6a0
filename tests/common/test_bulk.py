"""common.bulk: the COPY text of a row is the same whatever path a value takes (the per-field converters answer the
common types first; everything else goes through ``_copy_text``); gc_paused nests."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import models

from apps.common import bulk
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise, ImportRow


def _reference_line(fields, defaults, row) -> str:
    return "\t".join(bulk._copy_text(f, row.get(f.attname, defaults[f.attname])) for f in fields) + "\n"


def test_copy_lines_match_copy_text_value_by_value():
    values = [
        "乡味面馆",
        "a\\b\tc\nd\re",
        "",
        0,
        42,
        True,
        False,
        None,
        dt.date(2024, 1, 5),
        dt.datetime(2024, 1, 5, 3, 4, 5, tzinfo=dt.UTC),
        Decimal("30.509000"),
        EnterpriseStatus.SUSPENDED,  # a str subclass
        uuid.UUID(int=7),
    ]
    json_values = ["乡味", "a\tb", 0, 1.5, True, None, [], {}, ["pinzibiao", "gi"], {"name": ["旧\t名", "新名\\"]}]
    for model in (Enterprise, ImportRow):
        fields = bulk._fields(model)
        defaults = bulk._defaults(fields)
        rows = []
        for i in range(60):
            row = {}
            for j, f in enumerate(fields):
                choices = json_values if isinstance(f, models.JSONField) else values
                if (i + j) % 4:  # some fields missing: their default
                    row[f.attname] = choices[(i + j) % len(choices)]
            rows.append(row)
        assert list(bulk._copy_lines(fields, defaults, rows)) == [_reference_line(fields, defaults, r) for r in rows]


def test_gc_paused_nests_and_resumes_only_what_it_paused():
    import gc

    assert gc.isenabled()
    with bulk.gc_paused():
        assert not gc.isenabled()
        with pytest.raises(ValueError), bulk.gc_paused():
            raise ValueError
        assert not gc.isenabled()  # the inner one does not resume it
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.gc_paused():
            pass
        assert not gc.isenabled()  # disabled before: left disabled
    finally:
        gc.enable()


@pytest.mark.django_db
def test_rows_go_in_with_the_ids_allocated_for_them_or_get_them_from_the_database():
    from apps.enterprises.models import FoodCategory

    rows = [{"code": f"T{i}", "name": f"测试类别{i}", "sector": "catering"} for i in range(3)]
    ids = bulk.allocate_ids(FoodCategory, len(rows))  # PostgreSQL: from the sequence; SQLite: None
    if ids is not None:
        assert len(set(ids)) == 3
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
    assert bulk.bulk_insert(FoodCategory, rows, with_pk=ids is not None) == 3
    stored = dict(FoodCategory.objects.filter(code__startswith="T").values_list("code", "id"))
    if ids is not None:
        assert stored == {row["code"]: row["id"] for row in rows}
    assert len(stored) == 3
    FoodCategory.objects.create(code="T9", name="测试类别9", sector="catering")  # the sequence moved past them
