"""Output serializers of the assessment API (read-only)."""

from rest_framework import serializers

from ...models.schemes import AssessmentRound, ScoreItem, TownshipScore


class RoundOutputSerializer(serializers.ModelSerializer):
    scheme_version = serializers.IntegerField(source="scheme.version", read_only=True, help_text="考核方案版本号")
    scheme_is_default = serializers.BooleanField(
        source="scheme.is_default", read_only=True, help_text="是否为默认方案（待市局确认）"
    )

    class Meta:
        model = AssessmentRound
        fields = [
            "id",
            "year",
            "status",
            "scheme_version",
            "scheme_is_default",
            "as_of",
            "computed_at",
            "closed_at",
            "verified_at",
            "verified_identical",
        ]
        read_only_fields = fields


class ScoreItemOutputSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_label = serializers.CharField(source="indicator.label", read_only=True)
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = ScoreItem
        fields = [
            "indicator_code",
            "indicator_label",
            "weight",
            "numerator",
            "denominator",
            "computed_value",
            "computed_points",
            "value",
            "points",
            "weighted",
            "url",
            "denominator_url",
            "note",
            "appeal",
        ]
        read_only_fields = fields


class ScoreOutputSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="round.year", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    items = ScoreItemOutputSerializer(many=True, read_only=True)

    class Meta:
        model = TownshipScore
        fields = ["id", "round", "year", "township", "township_name", "total", "rank", "stars", "items"]
        read_only_fields = fields
