"""The read-only catalogue pages (/standards/): standards, test items with their limits, sampling food categories.

Reference data for every role that samples, tests or plans: each page needs the model's view permission. The
catalogue is maintained in the admin (forms run the rules of ``validation.py``).
"""

import datetime as dt

from django.utils import timezone

from apps.common.viewmixins import ScopedListView

from . import selectors
from .choices import StandardStatus
from .filters import SamplingCategoryFilterSet, StandardFilterSet, TestItemFilterSet

PAGE_SIZE = 25


class StandardListView(ScopedListView):
    """标准：every version, filtered by prefix, status, code or title (``StandardFilterSet``, the API's too)."""

    permission_required = selectors.VIEW_STANDARD
    selector = staticmethod(selectors.standard_list)
    filterset_class = StandardFilterSet
    paginate_by = PAGE_SIZE
    template_name = "standards/standard_list.html"

    def decorate_page(self, page):
        today = timezone.localdate()
        for standard in page:
            standard.status_today = standard.status_on(today)
            standard.status_today_label = StandardStatus(standard.status_today).label


class TestItemListView(ScopedListView):
    """检验项目 with every limit and the production dates each version judges (``TestItemFilterSet``)."""

    __test__ = False

    permission_required = selectors.VIEW_TEST_ITEM
    selector = staticmethod(selectors.test_item_list)
    filterset_class = TestItemFilterSet
    paginate_by = PAGE_SIZE
    template_name = "standards/test_item_list.html"

    def get_filter_form(self):
        form = super().get_filter_form()
        form.fields["category"].label_from_instance = lambda c: f"{'　' * (c.level - 1)}{c.name}"
        form.fields["standard"].label_from_instance = lambda s: s.code
        return form

    def decorate_page(self, page):
        today = timezone.localdate()
        for item in page:
            limits = list(item.limits.all())  # newest judging version first
            rows = []
            for index, limit in enumerate(limits):
                newer = limits[index - 1] if index else None
                start = limit.judging_standard.effective_date
                end = newer.judging_standard.effective_date - dt.timedelta(days=1) if newer else None
                rows.append(
                    {
                        "limit": limit,
                        "from": start,
                        "to": end,
                        "in_force": start <= today and (end is None or today <= end),
                    }
                )
            item.limit_rows = rows
            item.category_paths = [selectors.category_path(c) for c in item.categories.all()]


class CategoryListView(ScopedListView):
    """抽检食品分类 (four levels) with hazard weights; each count links to the test items that concern it."""

    permission_required = selectors.VIEW_CATEGORY
    selector = staticmethod(selectors.category_list)
    filterset_class = SamplingCategoryFilterSet
    paginate_by = 100
    template_name = "standards/category_list.html"

    def decorate_page(self, page):
        counts = selectors.category_item_counts(actor=self.request.user)
        for category in page:
            category.item_count = counts.get(category.pk, 0)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_view_items"] = self.request.user.has_perm(selectors.VIEW_TEST_ITEM)
        return context


standard_list = StandardListView.as_view()
test_item_list = TestItemListView.as_view()
test_item_list.__test__ = False
category_list = CategoryListView.as_view()
