"""Reads of the standards catalogue: pages, API and other apps go through these.

The catalogue is city-wide reference data, not township-scoped (like the 抽查事项清单): a user holding the model's
view permission reads every row, anyone else none (``Model.objects.none()``, as ``visible_to`` would answer). Lists
filter through the FilterSets of ``filters.py``, shared with the API.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Length

from apps.common.filters import filter_queryset

from .filters import SamplingCategoryFilterSet, StandardFilterSet, TestItemFilterSet
from .judging import limit_in_force
from .models import SamplingCategory, Standard, TestItem, TestLimit

VIEW_STANDARD = "standards.view_standard"
VIEW_TEST_ITEM = "standards.view_testitem"
VIEW_CATEGORY = "standards.view_samplingcategory"


def _can(actor, perm: str) -> bool:
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.has_perm(perm)
    )


def standard_list(*, actor, filters=None) -> QuerySet[Standard]:
    """Every standard version, in code order (GB 2760 before GB 19645: numbers compare as numbers), newest version
    first; with the superseding and superseded versions and how many limits judge by / test with it."""
    if not _can(actor, VIEW_STANDARD):
        return Standard.objects.none()
    qs = (
        Standard.objects.select_related("superseded_by")
        .prefetch_related(Prefetch("supersedes", queryset=Standard.objects.order_by("-year")))
        .annotate(
            judged_count=Count("judged_limits__test_item", distinct=True),
            method_count=Count("method_limits__test_item", distinct=True),
        )
        .order_by("prefix", Length("number"), "number", Length("part"), "part", "-year", "id")
    )
    return filter_queryset(StandardFilterSet, qs, filters)


def _limits_prefetch() -> Prefetch:
    return Prefetch(
        "limits",
        queryset=TestLimit.objects.select_related("judging_standard", "method_standard").order_by(
            "-judging_standard__effective_date", "id"
        ),
    )


def test_item_list(*, actor, filters=None) -> QuerySet[TestItem]:
    """Test items with their categories (and the categories' parents, for the path) and every limit, newest
    judging version first (constant queries whatever the number of rows)."""
    if not _can(actor, VIEW_TEST_ITEM):
        return TestItem.objects.none()
    qs = TestItem.objects.prefetch_related(
        Prefetch(
            "categories",
            queryset=SamplingCategory.objects.select_related("parent__parent__parent").order_by("order", "code"),
        ),
        _limits_prefetch(),
    ).order_by("order", "code")
    return filter_queryset(TestItemFilterSet, qs, filters)


test_item_list.__test__ = False  # not a pytest test when imported into a test module


def category_list(*, actor, filters=None) -> QuerySet[SamplingCategory]:
    if not _can(actor, VIEW_CATEGORY):
        return SamplingCategory.objects.none()
    qs = SamplingCategory.objects.select_related("parent").order_by("code")
    return filter_queryset(SamplingCategoryFilterSet, qs, filters)


def category_item_counts(*, actor) -> dict[int, int]:
    """Per category id: how many test items concern it (its own, its ancestors' and its descendants', as the
    ``category`` filter of the test-item list counts them). Two queries, whatever the catalogue's size."""
    if not _can(actor, VIEW_TEST_ITEM):
        return {}
    rows = list(SamplingCategory.objects.values_list("id", "parent_id"))
    parent = dict(rows)
    links = list(TestItem.categories.through.objects.values_list("samplingcategory_id", "testitem_id"))
    items_at: dict[int, set[int]] = {}
    for category_id, item_id in links:
        items_at.setdefault(category_id, set()).add(item_id)
    # An item linked at category X concerns X, every ancestor of X and every descendant of X.
    below: dict[int, set[int]] = {pk: set() for pk in parent}  # items linked at or below the category
    for category_id, items in items_at.items():
        node = category_id
        seen = set()
        while node is not None and node not in seen:
            seen.add(node)
            below.setdefault(node, set()).update(items)
            node = parent.get(node)
    counts = {}
    for pk in parent:
        items = set(below.get(pk, ()))
        node, seen = parent.get(pk), {pk}
        while node is not None and node not in seen:  # items linked at an ancestor apply here too
            seen.add(node)
            items |= items_at.get(node, set())
            node = parent.get(node)
        counts[pk] = len(items)
    return counts


def category_path(category: SamplingCategory) -> list[SamplingCategory]:
    """大类 → … → the category, from the parents already loaded (``select_related("parent__parent__parent")``)."""
    path = []
    node = category
    while node is not None and len(path) < 4:
        path.append(node)
        node = node.parent if node.parent_id else None
    return list(reversed(path))


def test_items_for_category(*, actor, category: SamplingCategory) -> QuerySet[TestItem]:
    """The items a sample of ``category`` is tested for: linked to the category or one of its ancestors (an item for
    叶菜类蔬菜 applies to 普通白菜), with their limits; choose the version with ``limit_in_force``. ``actor=None`` is the
    system (an import job); a user needs ``standards.view_testitem``."""
    if not _can(actor, VIEW_TEST_ITEM) and actor is not None:
        return TestItem.objects.none()
    ids = [c.pk for c in category_path(_with_parents(category))]
    links = TestItem.categories.through.objects.filter(samplingcategory_id__in=ids)
    return (
        TestItem.objects.filter(pk__in=links.values("testitem_id"), is_active=True)
        .prefetch_related(_limits_prefetch())
        .order_by("order", "code")
    )


test_items_for_category.__test__ = False


def _with_parents(category: SamplingCategory) -> SamplingCategory:
    return SamplingCategory.objects.select_related("parent__parent__parent").get(pk=category.pk)


def limits_in_force_for(items, production_date: dt.date) -> dict[int, TestLimit | None]:
    """``{item id: limit}`` by ``limit_in_force`` for items loaded with their limits (no query)."""
    return {item.pk: limit_in_force(item, production_date) for item in items}
