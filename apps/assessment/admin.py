"""Admin of assessment (dated rules via apps.common.admin.DatedConfigAdmin where a subpackage needs one)."""
