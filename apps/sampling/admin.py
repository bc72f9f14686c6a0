"""Sampling admin: reference configuration is edited in the app's pages (through the services); the admin is
read-only for the records (subpackages may register more)."""
