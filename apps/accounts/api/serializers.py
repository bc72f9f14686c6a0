from rest_framework import serializers

from apps.accounts.models import Township, TownshipPopulation


class TownshipPopulationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TownshipPopulation
        fields = ["year", "population", "is_estimate", "source"]


class TownshipOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    populations = TownshipPopulationOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Township
        fields = ["code", "name", "kind", "kind_label", "order", "is_active", "populations"]
