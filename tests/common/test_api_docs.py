"""docs/api.md stays in step with the code: every scope, every top-level resource and the error codes we emit."""

from pathlib import Path

from django.conf import settings

from apps.accounts.scopes import SCOPES
from apps.common.api.exception_handler import MESSAGES
from apps.common.api.idempotency import IdempotencyInProgress, IdempotencyKeyReused
from apps.common.api.pagination import PageNotFound
from apps.common.exceptions import Conflict, InvalidTransition, PreconditionFailed
from tests.helpers.scoped_api import api_routes

DOC = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_scope_is_documented():
    missing = [scope for scope in SCOPES if f"`{scope}`" not in DOC]
    assert not missing, f"docs/api.md lacks scopes: {missing}"


def test_every_top_level_resource_is_documented():
    prefixes = {
        route.regex.split("/")[2]
        for route in api_routes("api/v1/")
        if route.name not in (None, "api-schema", "api-docs", "api-not-found") and "format" not in route.params
    }
    missing = [p for p in sorted(prefixes) if f"/api/v1/{p}/" not in DOC]
    assert not missing, f"docs/api.md lacks resources: {missing}"


def test_error_codes_are_documented():
    codes = {code for code, _ in MESSAGES.values()} | {
        cls.code for cls in (IdempotencyInProgress, IdempotencyKeyReused, PageNotFound, Conflict, InvalidTransition)
    }
    codes |= {PreconditionFailed.code, "insufficient_scope", "server_error", "idempotency_key_required"}
    codes |= {"idempotency_key_invalid"}
    codes.discard("not_acceptable")  # only for Accept headers no client sends
    missing = sorted(c for c in codes if f"`{c}`" not in DOC)
    assert not missing, f"docs/api.md lacks error codes: {missing}"
