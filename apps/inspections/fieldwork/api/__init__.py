"""/api/v1/inspections/tasks/, results/ and publications/: serializers and viewsets."""
