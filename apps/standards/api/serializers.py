from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import SamplingCategory, Standard, TestItem, TestLimit


class StandardBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="标准编号，如 GB 2762-2022")

    class Meta:
        model = Standard
        fields = ["id", "code", "title", "effective_date"]
        read_only_fields = fields


class StandardOutputSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="标准编号，如 GB 2762-2022、GB 5009.12-2023")
    prefix_label = serializers.CharField(source="get_prefix_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    superseded_by = StandardBriefSerializer(read_only=True, allow_null=True, help_text="代替本标准的新版本")
    supersedes = serializers.SerializerMethodField(help_text="本标准代替的旧版本")

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "prefix",
            "prefix_label",
            "number",
            "part",
            "year",
            "title",
            "status",
            "status_label",
            "publish_date",
            "effective_date",
            "superseded_by",
            "supersedes",
            "announcement_no",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StandardBriefSerializer(many=True))
    def get_supersedes(self, obj):
        return StandardBriefSerializer(obj.supersedes.all(), many=True).data


class CategoryBriefSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = SamplingCategory
        fields = ["id", "code", "name", "level", "level_label", "parent", "hazard"]
        read_only_fields = fields


class TestLimitOutputSerializer(serializers.ModelSerializer):
    __test__ = False

    judging_standard = StandardBriefSerializer(read_only=True, help_text="判定依据（标准版本）")
    method_standard = StandardBriefSerializer(read_only=True, allow_null=True, help_text="检验依据（方法标准）")
    judgement_type_label = serializers.CharField(source="get_judgement_type_display", read_only=True)
    limit_display = serializers.CharField(read_only=True, help_text="限量的文字表示，如 ≤ 0.3 mg/kg")

    class Meta:
        model = TestLimit
        fields = [
            "id",
            "judging_standard",
            "clause",
            "method_standard",
            "judgement_type",
            "judgement_type_label",
            "min_limit",
            "max_limit",
            "unit",
            "micro_n",
            "micro_c",
            "micro_m",
            "micro_big_m",
            "detection_limit",
            "detection_limit_unit",
            "limit_display",
        ]
        read_only_fields = fields


class TestItemOutputSerializer(serializers.ModelSerializer):
    __test__ = False

    categories = CategoryBriefSerializer(many=True, read_only=True, help_text="适用的抽检食品分类（含其下级分类）")
    limits = TestLimitOutputSerializer(
        many=True, read_only=True, help_text="各版本判定依据下的限量，新版本在前；按样品生产日期选用已实施的最新版本"
    )

    class Meta:
        model = TestItem
        fields = ["id", "code", "name", "is_microbiological", "is_active", "categories", "limits"]
        read_only_fields = fields
