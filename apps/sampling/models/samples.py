"""Sampling tasks and samples: the 抽样单 of DOMAIN.md §3.3, with its number scheme and sealed backup sample."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.models import StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet, user_sees_all_townships, user_township_ids

from ..choices import (
    SAMPLE_TRANSITIONS,
    TASK_TRANSITIONS,
    AttachmentKind,
    LineSource,
    ObjectionOutcome,
    Packaging,
    SampleKind,
    SampleStatus,
    SamplingPurpose,
    Stage,
    TaskStatus,
    Verdict,
)


def member_organisation_ids(user) -> set[int]:
    """The organisations (抽样机构 / 检验机构) ``user`` acts for (``Organisation.members``), cached on the user object
    like its township ids (one query per request at most)."""
    if user is None or not getattr(user, "pk", None):
        return set()
    cached = getattr(user, "_sampling_org_ids_cache", None)
    if cached is None:
        from .plans import Organisation

        cached = set(
            Organisation.members.through.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True)
        )
        user._sampling_org_ids_cache = cached
    return cached


def sampling_scope(qs, user, *, township_path: str, sampler_path: str | None, lab_paths: tuple[str, ...]):
    """Who sees a task, a sample or what hangs off a sample — the one rule (apps.common.scoping, refined here):

    - city-wide roles: every row;
    - township roles: the rows of their township(s) (``township_path``);
    - members of a sampling organisation (抽样人员): the rows it samples (``sampler_path``);
    - members of a lab (检验机构人员, a lab's API client): the rows sent to it for testing or re-testing
      (``lab_paths``) — never another lab's.

    A user with several of these sees the union. Membership and townships are plain id lists (cached per user), so
    the SQL stays an indexed ``IN`` on each path.
    """
    if user_sees_all_townships(user):
        return qs
    conds = []
    township_ids = user_township_ids(user)
    if township_ids:
        conds.append(models.Q(**{f"{township_path}__in": township_ids}))
    org_ids = member_organisation_ids(user)
    if org_ids:
        conds += [
            models.Q(**{f"{path}__in": org_ids}) for path in ((sampler_path,) if sampler_path else ()) + lab_paths
        ]
    if not conds:
        return qs.none()
    cond = conds[0]
    for more in conds[1:]:
        cond |= more
    return qs.filter(cond)


class SamplingTaskQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """Township staff: their townships' tasks; samplers: their organisation's; labs: the tasks whose samples
        come to them (``sampling_scope``)."""
        return sampling_scope(
            self, user, township_path="enterprise__township", sampler_path="sampling_org", lab_paths=("lab",)
        )


class SamplingTask(StatusTransitions, TimeStampedModel):
    """An assignment to take a sample at an enterprise (from a plan line), by a sampling organisation, for a lab.

    抽检分离: the sampling organisation and the lab are different organisations (and different legal persons)."""

    SCOPE_PATH = "enterprise__township"
    TRANSITIONS = TASK_TRANSITIONS

    plan = models.ForeignKey(
        "sampling.SamplingPlan", verbose_name="计划", on_delete=models.PROTECT, related_name="tasks"
    )
    plan_line = models.ForeignKey(
        "sampling.PlanLine",
        verbose_name="计划明细",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="被抽样单位", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "standards.SamplingCategory", verbose_name="抽检分类", on_delete=models.PROTECT, related_name="+"
    )
    sampling_org = models.ForeignKey(
        "sampling.Organisation", verbose_name="抽样机构", on_delete=models.PROTECT, related_name="sampling_tasks"
    )
    lab = models.ForeignKey(
        "sampling.Organisation", verbose_name="检验机构", on_delete=models.PROTECT, related_name="lab_tasks"
    )
    due_on = models.DateField("抽样期限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下达人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SamplingTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "抽样任务"
        verbose_name_plural = "抽样任务"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sampling_org=models.F("lab")), name="samplingtask_sampler_not_lab"
            ),
            models.CheckConstraint(condition=models.Q(status__in=TaskStatus.values), name="samplingtask_status_valid"),
        ]

    def __str__(self):
        return f"抽样任务 #{self.pk} {self.enterprise}"


class SampleSequence(models.Model):
    """The running sequence of sample numbers per year and area code (``DC`` + yy + 6-digit division + sequence),
    taken under a row lock so two samplers never get one number."""

    year = models.PositiveSmallIntegerField("年度")
    division = models.CharField("区划代码", max_length=6)
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "抽样单编号序列"
        verbose_name_plural = "抽样单编号序列"
        constraints = [models.UniqueConstraint(fields=["year", "division"], name="uniq_samplesequence_year_division")]

    def __str__(self):
        return f"{self.year} {self.division}: {self.last}"


class SampleQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """Township staff: samples taken in their townships; samplers: their organisation's; labs: the samples sent
        to them, for the first test or as the 复检 lab of the disposal (``sampling_scope``)."""
        return sampling_scope(
            self,
            user,
            township_path="township",
            sampler_path="sampling_org",
            lab_paths=("lab", "disposal__recheck_lab"),
        )


class Sample(StatusTransitions, TimeStampedModel):
    """The 抽样单 (DOMAIN.md §3.3). The sampled site and the labelled producer are copied at sampling time (the
    record must say what was true that day, whatever the registry says later)."""

    SCOPE_PATH = "township"
    TRANSITIONS = SAMPLE_TRANSITIONS

    task = models.ForeignKey(SamplingTask, verbose_name="抽样任务", on_delete=models.PROTECT, related_name="samples")
    number = models.CharField("抽样单编号", max_length=24, unique=True)
    # --- basic
    purpose = models.CharField("任务类别", max_length=12, choices=SamplingPurpose.choices)
    source = models.CharField("抽检来源", max_length=10, choices=LineSource.choices, default=LineSource.ROUTINE)
    sampling_type = models.CharField("抽样类型", max_length=20, default="常规抽样")
    stage = models.CharField("抽样环节", max_length=12, choices=Stage.choices)
    place_type = models.CharField("抽样场所", max_length=30, blank=True, help_text="超市、农贸市场、餐馆…")
    category = models.ForeignKey(
        "standards.SamplingCategory", verbose_name="食品分类", on_delete=models.PROTECT, related_name="+"
    )
    sampling_org = models.ForeignKey(
        "sampling.Organisation", verbose_name="抽样单位", on_delete=models.PROTECT, related_name="sampled_samples"
    )
    lab = models.ForeignKey(
        "sampling.Organisation", verbose_name="检验机构", on_delete=models.PROTECT, related_name="lab_samples"
    )
    samplers = models.JSONField("抽样人员", default=list, help_text="至少两名抽样人员姓名")
    sampler_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="抽样人员账户", blank=True, related_name="+"
    )
    # --- sampled site (snapshot)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="被抽样单位", on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "accounts.Township",
        verbose_name="镇街",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="抽样时被抽样单位所在镇街（配额与范围按此计）",
    )
    site_name = models.CharField("被抽样单位名称", max_length=200)
    site_address = models.CharField("被抽样单位地址", max_length=255, blank=True)
    site_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    site_licence_kind = models.CharField("许可证类型", max_length=20, blank=True)
    site_licence_no = models.CharField("许可证编号", max_length=40, blank=True)
    site_legal_rep = models.CharField("法定代表人", max_length=50, blank=True)
    site_contact = models.CharField("联系人", max_length=50, blank=True)
    site_phone = models.CharField("联系电话", max_length=30, blank=True)
    site_area_type = models.CharField("区域类型", max_length=8, blank=True)
    # --- labelled producer
    producer_name = models.CharField("标称生产者名称", max_length=200, blank=True)
    producer_location = models.CharField("标称生产者所在地", max_length=60, blank=True, help_text="省、市、县")
    producer_address = models.CharField("标称生产者地址", max_length=255, blank=True)
    producer_licence_no = models.CharField("生产许可证编号", max_length=40, blank=True)
    producer_phone = models.CharField("标称生产者电话", max_length=30, blank=True)
    third_party = models.CharField("第三方关系", max_length=20, blank=True, help_text="委托、受托…")
    third_party_name = models.CharField("第三方名称", max_length=200, blank=True)
    third_party_address = models.CharField("第三方地址", max_length=255, blank=True)
    third_party_licence_no = models.CharField("第三方许可证编号", max_length=40, blank=True)
    third_party_phone = models.CharField("第三方电话", max_length=30, blank=True)
    # --- sample
    barcode = models.CharField("条码", max_length=40, blank=True)
    trademark = models.CharField("商标", max_length=60, blank=True)
    sample_kind = models.CharField("样品类型", max_length=14, choices=SampleKind.choices, default=SampleKind.PROCESSED)
    sample_origin_kind = models.CharField("样品来源", max_length=10, default="外购", help_text="外购、自制…")
    attribute = models.CharField("样品属性", max_length=20, default="普通食品")
    packaging = models.CharField("包装分类", max_length=12, choices=Packaging.choices, default=Packaging.PREPACKAGED)
    name = models.CharField("样品名称", max_length=100)
    production_date = models.DateField("生产（加工、购进）日期")
    shelf_life = models.CharField("保质期", max_length=30, blank=True)
    batch_no = models.CharField("批号", max_length=40, blank=True)
    specification = models.CharField("规格型号", max_length=60, blank=True)
    quality_grade = models.CharField("质量等级", max_length=20, blank=True)
    unit_price = models.DecimalField(
        "单价（元）",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    imported = models.BooleanField("是否进口", default=False)
    sampled_on = models.DateField("抽样日期")
    sampling_method = models.CharField("抽样方式", max_length=10, default="非无菌")
    origin = models.CharField("原产地", max_length=60, blank=True)
    storage = models.CharField("储存条件", max_length=30, default="常温")
    base_quantity = models.CharField("抽样基数", max_length=30, blank=True)
    quantity = models.PositiveIntegerField("抽样数量", validators=[MinValueValidator(1), MaxValueValidator(100000)])
    backup_quantity = models.PositiveIntegerField(
        "备样数量", validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    quantity_unit = models.CharField("单位", max_length=10, default="袋")
    exec_standard = models.CharField("执行标准/技术文件", max_length=100, blank=True)
    remarks = models.TextField("备注", blank=True)
    backup_seal_no = models.CharField("备份样品封条编号", max_length=40, help_text="复检备份样品封存，双方签字")
    backup_sealed_by_site = models.BooleanField("被抽样单位已签字确认封样", default=False)
    is_quick_test = models.BooleanField("快检", default=False, help_text="快检结果，不作为实验室检验结论")
    quick_test_result_at = models.DateTimeField(
        "快检结果告知时间", null=True, blank=True, help_text="食用农产品快检：告知后 4 小时内可提出异议"
    )
    # --- lab side
    status = models.CharField("状态", max_length=10, choices=SampleStatus.choices, default=SampleStatus.SAMPLED)
    received_on = models.DateField("检验机构接收日期", null=True, blank=True)
    report_no = models.CharField("检验报告编号", max_length=40, blank=True)
    conclusion = models.CharField("检验结论", max_length=12, choices=Verdict.choices, blank=True)
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)
    # --- publication (supervisory results only; see services)
    publish_due = models.DateField("公开期限", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SampleQuerySet.as_manager()

    class Meta:
        verbose_name = "样品（抽样单）"
        verbose_name_plural = "样品（抽样单）"
        permissions = [("publish_sample", "公开抽检结果"), ("export_sample", "导出抽样单与检验结果")]
        ordering = ["-sampled_on", "-id"]
        indexes = [
            models.Index(fields=["sampled_on"], name="sample_sampled_on"),
            models.Index(fields=["township", "sampled_on"], name="sample_township_date"),
            models.Index(fields=["enterprise", "sampled_on"], name="sample_enterprise_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(sampling_org=models.F("lab")), name="sample_sampler_not_lab"),
            models.CheckConstraint(condition=models.Q(status__in=SampleStatus.values), name="sample_status_valid"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, backup_quantity__gte=1), name="sample_quantities_ge_1"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def attachments_locked(self) -> bool:
        """Sent to the lab (received or concluded): its attachments are immutable; a correction is a new one."""
        return self.status != SampleStatus.SAMPLED


class SampleChildQuerySet(ScopedQuerySet):
    """Rows hanging off a sample (attachments, objections) follow the sample's visibility."""

    def scope_for_user(self, user):
        return sampling_scope(
            self,
            user,
            township_path="sample__township",
            sampler_path="sample__sampling_org",
            lab_paths=("sample__lab", "sample__disposal__recheck_lab"),
        )


class SampleAttachment(models.Model):
    """An attachment of a 抽样单 (DOMAIN.md §3.3): an on-site photo or a signed scan (抽样单, 告知书). Type sniffed
    from the content, size capped, SHA-256 taken at upload (``apps.common.uploads``). Once the sample is with the
    lab the row is never changed or deleted; a correction is a new attachment naming its reason (and the one it
    corrects)."""

    SCOPE_PATH = "sample__township"

    sample = models.ForeignKey(Sample, verbose_name="样品", on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("附件类型", max_length=12, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to="sampling/attachments/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    width = models.PositiveIntegerField("宽（像素）", null=True, blank=True)
    height = models.PositiveIntegerField("高（像素）", null=True, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self", verbose_name="更正的附件", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_reason = models.CharField("更正原因", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SampleChildQuerySet.as_manager()

    class Meta:
        verbose_name = "抽样单附件"
        verbose_name_plural = "抽样单附件"
        ordering = ["sample_id", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AttachmentKind.values), name="sampleattachment_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class QuickTestObjection(models.Model):
    """The enterprise's objection (异议) to a quick test of 食用农产品, recorded within the window (FSL Art 88 ¶2) by
    township staff or the sampler on its behalf; city staff decide the outcome (复检 / 维持 / 撤销). While pending, the
    quick test is not shown as final anywhere it is published."""

    SCOPE_PATH = "sample__township"

    sample = models.OneToOneField(
        Sample, verbose_name="快检样品", on_delete=models.PROTECT, related_name="quick_objection"
    )
    objector = models.CharField("异议人", max_length=100, help_text="提出异议的被抽样单位人员姓名")
    reason = models.TextField("异议理由")
    raised_at = models.DateTimeField("提出时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(
        "处理结果", max_length=10, choices=ObjectionOutcome.choices, default=ObjectionOutcome.PENDING
    )
    decision_note = models.TextField("处理意见", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SampleChildQuerySet.as_manager()

    class Meta:
        verbose_name = "快检异议"
        verbose_name_plural = "快检异议"
        permissions = [("decide_quicktestobjection", "处理快检异议")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=ObjectionOutcome.values), name="quicktestobjection_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.sample_id} {self.get_outcome_display()}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == ObjectionOutcome.PENDING
