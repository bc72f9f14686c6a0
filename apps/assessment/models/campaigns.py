"""Models of assessment/campaigns (owned by that subpackage)."""
