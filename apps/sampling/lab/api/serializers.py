"""Serializers of the lab API: result items (output), a lab's submission of one round (input, strict), and the
answer to a submission."""

from __future__ import annotations

from rest_framework import serializers

from apps.common.api.serializers import StrictFieldsMixin, StrictInputSerializer

from ...models import ResultItem
from ..services.results import MAX_ITEMS, MAX_MICRO_VALUES, NOTE_MAX


class ResultItemOutputSerializer(serializers.ModelSerializer):
    sample = serializers.IntegerField(source="sample_id", read_only=True)
    sample_number = serializers.CharField(source="sample.number", read_only=True)
    township = serializers.CharField(source="sample.township.code", read_only=True)
    test_item = serializers.CharField(source="test_item.code", read_only=True)
    test_item_name = serializers.CharField(source="test_item.name", read_only=True)
    lab = serializers.IntegerField(source="lab_id", read_only=True)
    lab_name = serializers.CharField(source="lab.name", read_only=True)
    verdict_label = serializers.CharField(source="get_verdict_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    value = serializers.DecimalField(
        max_digits=16, decimal_places=6, coerce_to_string=False, allow_null=True, read_only=True
    )
    micro_values = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ResultItem
        fields = [
            "id",
            "sample",
            "sample_number",
            "township",
            "test_item",
            "test_item_name",
            "is_recheck",
            "lab",
            "lab_name",
            "value_text",
            "value",
            "micro_values",
            "unit",
            "verdict",
            "verdict_label",
            "judging_basis",
            "method_basis",
            "min_limit_text",
            "max_limit_text",
            "limit_unit",
            "detection_limit_text",
            "explanation",
            "channel",
            "channel_label",
            "created_at",
            "updated_at",
        ]


class ResultItemInputSerializer(StrictFieldsMixin, serializers.Serializer):
    test_item = serializers.CharField(max_length=40, help_text="检验项目代码（检验项目目录中的 code）")
    value_text = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="数值、“未检出”或“<检出限”（文本）"
    )
    micro_values = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        default=list,
        max_length=MAX_MICRO_VALUES,
        help_text="微生物 n/c/m/M 项目：n 个样品的结果（文本），代替 value_text",
    )
    unit = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="结果单位，须与允许限单位一致；空为允许限单位",
    )
    explanation = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class ResultsSubmitInputSerializer(StrictInputSerializer):
    """One round of a sample's results. All or nothing: an invalid item and nothing is written."""

    items = ResultItemInputSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)
    report_no = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="检验报告编号；空为 抽样单编号-JY（复检 -FJ）",
    )
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="样品尚未登记接收时的接收日期（空为今天）"
    )
    recheck = serializers.BooleanField(
        required=False, default=False, help_text="true：复检结果（仅由随机确定的复检机构提交，复检结论为最终结论）"
    )


class DisposalBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    notify_due = serializers.DateField()
    recheck_allowed = serializers.BooleanField()
    verify_due = serializers.DateField()
    recheck_conclusion = serializers.CharField()


class SubmitOutputSerializer(serializers.Serializer):
    sample = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    status = serializers.CharField()
    received_on = serializers.DateField(allow_null=True)
    report_no = serializers.CharField()
    conclusion = serializers.CharField(help_text="样品的检验结论（复检后为复检结论，即最终结论）")
    conclusion_label = serializers.CharField(source="get_conclusion_display")
    concluded_at = serializers.DateTimeField(allow_null=True)
    recheck = serializers.BooleanField()
    results = ResultItemOutputSerializer(many=True, help_text="本次提交写入的检验结果")
    disposal = DisposalBriefSerializer(allow_null=True)
