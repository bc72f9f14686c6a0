"""Lab results (检验结果) per test item, and the disposal (核查处置) of an unqualified sample with its clocks. Lab
submissions are idempotent through the platform's IdempotencyRecord (apps/common), not a model of their own."""

from django.conf import settings
from django.db import models

from apps.common.models import StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet

from ..choices import DISPOSAL_TRANSITIONS, DisposalStatus, EntryChannel, Verdict
from .samples import sampling_scope


class ResultItemQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """A result is seen by whoever sees its sample (``samples.sampling_scope``)."""
        return sampling_scope(
            self,
            user,
            township_path="sample__township",
            sampler_path="sample__sampling_org",
            lab_paths=("sample__lab", "sample__disposal__recheck_lab"),
        )


class ResultItem(TimeStampedModel):
    """One test item's result on a sample, judged automatically against the limit in force on the sample's
    production date (``limit``, kept so the judgement can be re-read). ``is_recheck`` marks a 复检 result."""

    SCOPE_PATH = "sample__township"

    sample = models.ForeignKey("sampling.Sample", verbose_name="样品", on_delete=models.CASCADE, related_name="results")
    test_item = models.ForeignKey(
        "standards.TestItem", verbose_name="检验项目", on_delete=models.PROTECT, related_name="+"
    )
    limit = models.ForeignKey(
        "standards.TestLimit",
        verbose_name="判定限量",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_recheck = models.BooleanField("复检结果", default=False)
    lab = models.ForeignKey(
        "sampling.Organisation", verbose_name="检验机构", on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField("检验结果（数值）", max_digits=16, decimal_places=6, null=True, blank=True)
    value_text = models.CharField("检验结果", max_length=60, help_text="如 0.12、未检出、<10")
    micro_values = models.JSONField("微生物各样品结果", default=list, blank=True, help_text="n 个样品的结果")
    unit = models.CharField("结果单位", max_length=20, blank=True)
    verdict = models.CharField("结果判定", max_length=12, choices=Verdict.choices)
    judging_basis = models.CharField("判定依据", max_length=200, blank=True)
    method_basis = models.CharField("检验依据", max_length=200, blank=True)
    min_limit_text = models.CharField("最小允许限", max_length=30, blank=True)
    max_limit_text = models.CharField("最大允许限", max_length=30, blank=True)
    limit_unit = models.CharField("允许限单位", max_length=20, blank=True)
    detection_limit_text = models.CharField("方法检出限", max_length=30, blank=True)
    explanation = models.CharField("说明", max_length=200, blank=True)
    channel = models.CharField("录入方式", max_length=8, choices=EntryChannel.choices, default=EntryChannel.PAGE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ResultItemQuerySet.as_manager()

    class Meta:
        verbose_name = "检验结果"
        verbose_name_plural = "检验结果"
        ordering = ["sample", "is_recheck", "test_item__order"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "test_item", "is_recheck"], name="uniq_result_sample_item_round"),
            models.CheckConstraint(condition=models.Q(verdict__in=Verdict.values), name="resultitem_verdict_valid"),
        ]

    def __str__(self):
        return f"{self.sample.number} {self.test_item} {self.value_text}"


class DisposalQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """A disposal is seen by whoever sees its sample (``samples.sampling_scope``)."""
        return sampling_scope(
            self,
            user,
            township_path="sample__township",
            sampler_path="sample__sampling_org",
            lab_paths=("sample__lab", "recheck_lab"),
        )


class Disposal(StatusTransitions, TimeStampedModel):
    """核查处置 of an unqualified sample (DOMAIN.md §3.2): deliver the result to the enterprise (5 working days), the
    复检 application window (7 working days from delivery; not for microbiological failures), the 复检 at a
    different lab, and the 90-day verification and disposal. Due dates are computed when each clock starts."""

    SCOPE_PATH = "sample__township"
    TRANSITIONS = DISPOSAL_TRANSITIONS

    sample = models.OneToOneField(
        "sampling.Sample", verbose_name="样品", on_delete=models.PROTECT, related_name="disposal"
    )
    status = models.CharField("状态", max_length=12, choices=DisposalStatus.choices, default=DisposalStatus.OPEN)
    opened_on = models.DateField("收到不合格报告日期")
    notify_due = models.DateField("送达期限")
    notified_on = models.DateField("送达日期", null=True, blank=True)
    recheck_allowed = models.BooleanField("可申请复检", default=True, help_text="微生物项目不合格不予复检")
    recheck_due = models.DateField("复检申请截止", null=True, blank=True)
    recheck_requested_on = models.DateField("申请复检日期", null=True, blank=True)
    recheck_lab = models.ForeignKey(
        "sampling.Organisation",
        verbose_name="复检机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recheck_conclusion = models.CharField("复检结论", max_length=12, choices=Verdict.choices, blank=True)
    verify_due = models.DateField("核查处置期限")
    measures = models.JSONField("处置措施", default=list, blank=True, help_text="封存、下架、召回、立案…")
    outcome = models.TextField("处置结果", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    published_at = models.DateTimeField("处置结果公开时间", null=True, blank=True)

    objects = DisposalQuerySet.as_manager()

    class Meta:
        verbose_name = "核查处置"
        verbose_name_plural = "核查处置"
        ordering = ["verify_due"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=DisposalStatus.values), name="disposal_status_valid"),
        ]

    def __str__(self):
        return f"核查处置 {self.sample.number}"


class DisposalStep(models.Model):
    """What happened in a disposal, in order (each step also has an audit event)."""

    disposal = models.ForeignKey(Disposal, verbose_name="核查处置", on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=30)
    happened_on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "核查处置环节"
        verbose_name_plural = "核查处置环节"
        ordering = ["disposal", "happened_on", "id"]

    def __str__(self):
        return f"{self.happened_on} {self.kind}"
