"""Output serializer of /api/v1/assessment/campaigns/ (read-only): a campaign with its targets in force for the
requested year and their progress (``selectors.campaign_progress``, computed once per request for the campaigns of
the page). The nested serializers document the shape in the OpenAPI schema."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models.campaigns import Campaign


class FigureSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="当前值（十进制字符串）；空：暂无数据")
    share = serializers.CharField(allow_null=True, help_text="完成度（%，可超过 100）；空：无目标值或无数据")
    reached = serializers.BooleanField(allow_null=True, help_text="是否达标；空：无法判断")
    url = serializers.CharField(help_text="所计数据行的列表页面")
    note = serializers.CharField()


class TownshipFigureSerializer(FigureSerializer):
    township = serializers.IntegerField()
    township_name = serializers.CharField()


class TargetProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    label = serializers.CharField()
    measure_code = serializers.CharField(help_text="apps.common.measures 的指标代码；空为人工录入的目标")
    manual = serializers.BooleanField()
    target_value = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    scope = serializers.ChoiceField(choices=["city", "township"])
    higher_is_better = serializers.BooleanField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    is_default = serializers.BooleanField(help_text="随系统提供的默认目标，待市局确认")
    registered = serializers.BooleanField(help_text="计算指标已登记（人工目标恒为 true）")
    note = serializers.CharField()
    progress = FigureSerializer(help_text="调用者范围内的整体值（市级角色为全市，镇街角色为本镇街）")
    townships = TownshipFigureSerializer(many=True)


class CampaignOutputSerializer(serializers.ModelSerializer):
    year = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField(help_text="该年度生效的目标及其进展")

    class Meta:
        model = Campaign
        fields = ["id", "code", "name", "description", "order", "seed_section", "is_default", "year", "targets"]
        read_only_fields = fields

    def get_year(self, obj) -> int:
        return self.context["year"]

    @extend_schema_field(TargetProgressSerializer(many=True))
    def get_targets(self, obj):
        row = self.context["progress"].get(obj.pk)
        return [tp.as_dict() for tp in row.targets] if row else []
