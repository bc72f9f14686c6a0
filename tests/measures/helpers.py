"""Shared checks of the measure tests: run a registered measure, follow a value's link as the actor, count queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.measures import compute
from tests.dashboard.test_counts_agree import rows_behind


def run(code, actor, township_ids, *, year=None, as_of=None):
    as_of = as_of or dt.date.today()
    return compute(code, actor, year=year or as_of.year, township_ids=township_ids, as_of=as_of)


def triple(value):
    """(numerator, denominator, value) with value as a string ("50.00"), for compact asserts."""
    return (value.numerator, value.denominator, None if value.value is None else str(value.value))


def assert_rows(client, actor, url, expected: int):
    """The list behind ``url``, opened as ``actor``, shows exactly ``expected`` rows."""
    assert url, "the value has no link"
    client.force_login(actor)
    assert rows_behind(client, url) == expected, url


def queries(fn) -> int:
    fn()  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def dec(text: str) -> Decimal:
    return Decimal(text)
