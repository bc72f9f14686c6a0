"""FilterSets of sampling/publicity, shared by page, export and (later) API (STYLE.md §3.7; an empty value is no
filter, ``BaseFilterSet``):

* ``VoteTopicFilterSet`` — the staff list of 你点我检 topics;
* ``QuickTestFilterSet`` — the staff list of quick tests (快检);
* ``PublicationFilterSet`` — the staff list of publications (due, overdue, published, outcome pending) and the
  credit-file export of published results (the export forces ``status=published``);
* ``PublicResultFilterSet`` — the portal's list of published results (no actor; a subset of the staff filters).
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet
from apps.standards.models import SamplingCategory

from ..choices import DisposalStatus, LineSource, SamplingPurpose, TopicStatus, Verdict
from ..models import ResultItem, Sample, VoteTopic

# ?status= of the publication list
PENDING = "pending"  # not published, clock still running
OVERDUE = "overdue"  # not published, publish_due passed
PUBLISHED = "published"
OUTCOME_PENDING = "outcome_pending"  # published; the disposal is closed but its outcome is not published yet
PUBLICATION_STATUS_CHOICES = [
    (PENDING, "待公开（未超期）"),
    (OVERDUE, "已超期未公开"),
    (PUBLISHED, "已公开"),
    (OUTCOME_PENDING, "处置结果待公开"),
]
PUBLISHABLE_PURPOSES = (SamplingPurpose.SUPERVISORY, SamplingPurpose.EVALUATIVE)
Q_MAX = 60


def _text_q(queryset, value):
    text = value.strip()
    return queryset.filter(
        Q(site_name__icontains=text) | Q(name__icontains=text) | Q(number__iexact=text) | Q(site_uscc__iexact=text)
    )


class VoteTopicFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="题目", method="filter_q", max_length=Q_MAX)
    status = django_filters.ChoiceFilter(label="状态", choices=TopicStatus.choices, empty_label="全部")
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.all(), label="镇街", method="filter_township")

    class Meta:
        model = VoteTopic
        fields = ["q", "status", "township"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    def filter_township(self, queryset, name, value):
        return queryset.filter(Q(township=value) | Q(township__isnull=True))


class QuickTestFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="样品、被抽样单位或编号", method="filter_q", max_length=Q_MAX)
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.all(), label="镇街")
    recorded = django_filters.ChoiceFilter(
        label="快检结果",
        choices=[("no", "待录入"), ("yes", "已录入"), ("positive", "阳性")],
        method="filter_recorded",
        empty_label="全部",
    )

    class Meta:
        model = Sample
        fields = ["q", "township", "recorded"]

    def filter_q(self, queryset, name, value):
        return _text_q(queryset, value)

    def filter_recorded(self, queryset, name, value):
        if value == "no":
            return queryset.filter(quick_test_result_at__isnull=True)
        if value == "yes":
            return queryset.filter(quick_test_result_at__isnull=False)
        positive = ResultItem.objects.filter(sample=OuterRef("pk"), verdict=Verdict.UNQUALIFIED, is_recheck=False)
        return queryset.filter(quick_test_result_at__isnull=False).filter(Exists(positive))


class PublicationFilterSet(BaseFilterSet):
    """The staff list of publications and the credit-file export (``status=published``)."""

    status = django_filters.ChoiceFilter(
        label="公开状态", choices=PUBLICATION_STATUS_CHOICES, method="filter_status", empty_label="全部"
    )
    q = django_filters.CharFilter(label="被抽样单位、样品、编号或信用代码", method="filter_q", max_length=Q_MAX)
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.all(), label="镇街")
    conclusion = django_filters.ChoiceFilter(label="检验结论", choices=Verdict.choices, empty_label="全部")
    purpose = django_filters.ChoiceFilter(
        label="任务类别",
        choices=[(p.value, p.label) for p in PUBLISHABLE_PURPOSES],
        empty_label="全部",
    )
    source = django_filters.ChoiceFilter(label="抽检来源", choices=LineSource.choices, empty_label="全部")
    publish_due__gte = django_filters.DateFilter(field_name="publish_due", lookup_expr="gte", label="公开期限起")
    publish_due__lte = django_filters.DateFilter(field_name="publish_due", lookup_expr="lte", label="公开期限止")
    published_on__gte = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="gte", label="公开日期起"
    )
    published_on__lte = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="lte", label="公开日期止"
    )

    class Meta:
        model = Sample
        fields = ["status", "q", "township", "conclusion", "purpose", "source"]

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == PENDING:
            return queryset.filter(published_at__isnull=True).filter(
                Q(publish_due__isnull=True) | Q(publish_due__gte=today)
            )
        if value == OVERDUE:
            return queryset.filter(published_at__isnull=True, publish_due__lt=today)
        if value == PUBLISHED:
            return queryset.filter(published_at__isnull=False)
        return queryset.filter(
            published_at__isnull=False, disposal__status=DisposalStatus.CLOSED, disposal__published_at__isnull=True
        )

    def filter_q(self, queryset, name, value):
        return _text_q(queryset, value)


class PublicResultFilterSet(BaseFilterSet):
    """The portal's search over published results."""

    q = django_filters.CharFilter(label="企业名称、信用代码、样品名称或抽样单编号", method="filter_q", max_length=Q_MAX)
    conclusion = django_filters.ChoiceFilter(
        label="检验结论",
        choices=[(Verdict.QUALIFIED.value, "合格"), (Verdict.UNQUALIFIED.value, "不合格")],
        empty_label="全部",
    )
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.filter(is_active=True), label="镇街")
    category = django_filters.ModelChoiceFilter(
        queryset=SamplingCategory.objects.filter(is_active=True, level=1), label="食品大类", method="filter_category"
    )

    class Meta:
        model = Sample
        fields = ["q", "conclusion", "township", "category"]

    def filter_q(self, queryset, name, value):
        return _text_q(queryset, value)

    def filter_category(self, queryset, name, value):
        """A 大类 matches its own samples and those of its sub-categories (up to four levels)."""
        return queryset.filter(
            Q(category=value)
            | Q(category__parent=value)
            | Q(category__parent__parent=value)
            | Q(category__parent__parent__parent=value)
        )
