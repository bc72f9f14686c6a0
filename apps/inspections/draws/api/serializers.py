from django.urls import reverse
from rest_framework import serializers

from apps.common.api.serializers import StrictInputSerializer

from ...choices import RandomnessKind
from ...models import Draw, DrawPlan, DrawStratum


class DrawStratumOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DrawStratum
        fields = ["key", "label", "filter", "proportion", "count"]


class DrawPlanOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    townships = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    business_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    check_items = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    strata = DrawStratumOutputSerializer(many=True, read_only=True)
    draws = serializers.SerializerMethodField()

    class Meta:
        model = DrawPlan
        fields = [
            "id",
            "name",
            "year",
            "round_label",
            "description",
            "status",
            "status_label",
            "townships",
            "business_types",
            "check_items",
            "strata",
            "exclude_inspected_months",
            "exclude_closed",
            "exclude_open_same_round",
            "inspectors_per_task",
            "avoid_previous_inspector",
            "avoid_own_township",
            "load_cap",
            "task_due_date",
            "scheduled_at",
            "randomness_kind",
            "randomness_source",
            "randomness_date",
            "committed_at",
            "draws",
            "created_at",
            "updated_at",
        ]

    def get_draws(self, plan) -> list[str]:
        return [d.draw_uid for d in sorted(plan.draws.all(), key=lambda d: d.attempt)]


class PublicRandomnessSerializer(serializers.Serializer):
    """hrs-v2: the public randomness the commitment names."""

    kind = serializers.ChoiceField(choices=RandomnessKind.choices)
    source = serializers.CharField()
    date = serializers.DateField()


class DrawOutputSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    seed = serializers.CharField(source="seed_hex", read_only=True, allow_null=True)
    drawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    result_hash = serializers.SerializerMethodField()
    selected_count = serializers.SerializerMethodField()
    pool_hashes = serializers.SerializerMethodField()
    quotas = serializers.SerializerMethodField()
    redraw_of = serializers.SlugRelatedField(source="parent", slug_field="draw_uid", read_only=True, allow_null=True)
    public_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()
    public_randomness = PublicRandomnessSerializer(read_only=True, allow_null=True, source="public_randomness_or_none")
    public_values = serializers.SerializerMethodField()
    signature_key_id = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = [
            "id",
            "draw_uid",
            "plan",
            "round",
            "attempt",
            "algorithm",
            "status",
            "status_label",
            "seed_commitment",
            "seed",
            "inputs_hash",
            "pool_hashes",
            "quotas",
            "draw_date",
            "scheduled_at",
            "committed_at",
            "drawn_at",
            "selected_count",
            "result_hash",
            "redraw_of",
            "reason",
            "public_randomness",
            "public_values",
            "signature_key_id",
            "public_url",
            "verification_url",
        ]

    def get_public_values(self, draw) -> list[str] | None:
        """hrs-v2: the public values once entered (null before, and for hrs-v1)."""
        row = draw.public_value_or_none if draw.is_v2 else None
        return list(row.values) if row is not None else None

    def get_signature_key_id(self, draw) -> str | None:
        outcome = draw.outcome_or_none
        return (outcome.signature or {}).get("key_id") if outcome else None

    def get_result_hash(self, draw) -> str | None:
        outcome = draw.outcome_or_none
        return outcome.result_hash if outcome else None

    def get_selected_count(self, draw) -> int | None:
        outcome = draw.outcome_or_none
        return outcome.selected_count if outcome else None

    def get_pool_hashes(self, draw) -> dict[str, str]:
        return {s["key"]: s["pool_hash"] for s in draw.strata}

    def get_quotas(self, draw) -> dict[str, int]:
        return {s["key"]: s["k"] for s in draw.strata}

    def get_public_url(self, draw) -> str:
        return reverse("public_draws:detail", args=[draw.draw_uid])

    def get_verification_url(self, draw) -> str:
        return reverse("public_draws:record", args=[draw.draw_uid])


class DrawExecuteInputSerializer(serializers.Serializer):
    """No input: the draw uses only what was committed."""


class PublicValueInputSerializer(StrictInputSerializer):
    """hrs-v2: the public value(s) named in the commitment — one lottery result, or one value per witness."""

    values = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=20)
    witnesses = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=20
    )
    draw_uid = serializers.CharField(required=False, max_length=64, help_text="核对的待抽取编号（可选）")


class SigningKeySerializer(serializers.Serializer):
    alg = serializers.CharField()
    key_id = serializers.CharField()
    public_key = serializers.CharField(help_text="Ed25519 公钥（32 字节，base64）")
