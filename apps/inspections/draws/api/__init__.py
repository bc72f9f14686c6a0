"""/api/v1/inspections/plans/ and /api/v1/inspections/draws/: serializers and viewsets."""
