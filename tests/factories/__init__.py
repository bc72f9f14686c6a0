"""factory_boy factories shared by the test suites (keep them simple: valid rows, no side effects)."""

from .enterprises import EnterpriseFactory, LicenceFactory

__all__ = ["EnterpriseFactory", "LicenceFactory"]
