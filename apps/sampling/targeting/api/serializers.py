"""Output shapes of the suggestion API (documented in OpenAPI; the rows come from ``Suggestion.as_dict``)."""

from rest_framework import serializers

from ..ranking import REASON_CODES, REASON_LABELS


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[(c, REASON_LABELS[c]) for c in REASON_CODES],
        help_text="理由：grade 风险等级、unqualified 既往不合格、complaints 投诉举报、staleness 距上次抽检、hazard 品类风险",
    )
    label = serializers.CharField(help_text="理由的中文名")
    raw = serializers.JSONField(
        allow_null=True,
        help_text="原始值：grade 为等级 A–D（未评级为 null）；unqualified 为按时间远近加权的不合格次数；"
        "complaints 为投诉件数（未接入为 null）；staleness 为距上次抽检天数（回溯期内未抽检为 null）；hazard 为 1–5",
    )
    detail = serializers.CharField(help_text="原始值的中文说明")
    score = serializers.FloatField(min_value=0, max_value=1, help_text="归一化得分（0–1）")
    weight = serializers.IntegerField(min_value=0, max_value=100, help_text="权重（0–100）")
    points = serializers.FloatField(min_value=0, max_value=100, help_text="得分 × 权重")


class SuggestionSerializer(serializers.Serializer):
    key = serializers.RegexField(r"^[0-9]+-[0-9]+$", help_text="建议编号：检查对象编号-抽检大类编号")
    rank = serializers.IntegerField(min_value=1, allow_null=True, help_text="名次（1 为最优先；单条查询时为 null）")
    enterprise_id = serializers.IntegerField(help_text="检查对象编号")
    enterprise_name = serializers.CharField()
    uscc = serializers.CharField(allow_blank=True, help_text="统一社会信用代码（无则为空）")
    township_id = serializers.IntegerField(help_text="镇街编号")
    township_name = serializers.CharField()
    business_type_name = serializers.CharField(help_text="业态")
    category_id = serializers.IntegerField(help_text="抽检大类编号")
    category_code = serializers.CharField()
    category_name = serializers.CharField()
    total = serializers.FloatField(min_value=0, help_text="总分（各理由得分 × 权重之和）")
    reasons = ReasonSerializer(many=True)


class WeightsSerializer(serializers.Serializer):
    effective_from = serializers.DateField(allow_null=True, help_text="生效日期（null：尚未配置，使用默认权重）")
    grade = serializers.IntegerField(min_value=0, max_value=100)
    unqualified = serializers.IntegerField(min_value=0, max_value=100)
    complaints = serializers.IntegerField(min_value=0, max_value=100)
    staleness = serializers.IntegerField(min_value=0, max_value=100)
    hazard = serializers.IntegerField(min_value=0, max_value=100)
    history_years = serializers.IntegerField(min_value=1, max_value=10, help_text="回溯年数")


class SuggestionListSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="计划年度")
    data_until = serializers.DateField(help_text="排名所用数据截至日期（含）")
    window_from = serializers.DateField(help_text="回溯期起始日期（含）")
    weights = WeightsSerializer(help_text="所用权重（该年度排名日生效的一组）")
    complaints_available = serializers.BooleanField(help_text="是否已接入投诉数据（未接入时该理由得 0 分）")
    grade_available = serializers.BooleanField(help_text="是否已接入风险等级")
    count = serializers.IntegerField(min_value=0, help_text="符合条件的建议总数")
    limit = serializers.IntegerField(min_value=1, max_value=500, help_text="本次返回的最多条数")
    results = SuggestionSerializer(many=True, help_text="按总分从高到低的前 limit 条")
