"""Models of assessment/schemes (owned by that subpackage)."""
