"""Schemathesis hooks: the generated client behaves as the schema tells an integrator to.

Some values are valid only because the server issued them, which no schema can generate: a change-feed cursor
(signed), a fresh ``Idempotency-Key`` per new request (the same key with another body is 422 by design), the
current ``If-Match`` version (``*`` = "whatever the current one is"), a real PNG for a signature. For *positive*
cases only, these hooks put in what a real client would send; negative cases go through untouched, so every
rejection check still runs on them. A feed request also drops ``ordering``, which the schema says a feed refuses.

Used by tests/api/test_schemathesis.py and by the CLI: ``SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks``, with
``ST_BASE_URL`` (e.g. http://127.0.0.1:8104) and ``ST_TOKEN`` (the bearer token) in the environment, so the hook can
fetch a real cursor from each feed.
"""

import base64
import io
import os
import uuid

import schemathesis

FEEDS = (
    "/api/v1/enterprises/",
    "/api/v1/risk/assessments/",
    "/api/v1/inspections/tasks/",
    "/api/v1/inspections/results/",
    "/api/v1/inspections/publications/",
    "/api/v1/sampling/tasks/",
    "/api/v1/sampling/samples/",
    "/api/v1/sampling/results/",
    "/api/v1/sampling/plan-lines/",
    "/api/v1/incidents/emergency-plans/",
    "/api/v1/incidents/drills/",
    "/api/v1/incidents/incidents/",
    "/api/v1/incidents/opinion-events/",
    "/api/v1/incidents/complaints/",
)
_cursors = {}
PNG_FIELDS = ("inspector_signature_png", "operator_signature_png")
_png_cache = []


def _cursor(path: str) -> str:
    """A cursor the server issued for this feed (from its first page), as a subscriber would hold."""
    if path not in _cursors:
        import requests

        response = requests.get(
            os.environ["ST_BASE_URL"].rstrip("/") + path,
            params={"updated_since": "2000-01-01", "page_size": 1},
            headers={"Authorization": f"Bearer {os.environ['ST_TOKEN']}"},
            timeout=30,
        )
        _cursors[path] = response.json()["next_cursor"]
    return _cursors[path]


def _png() -> str:
    if not _png_cache:
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (40, 20), (20, 40, 200)).save(buf, "PNG")
        _png_cache.append(base64.b64encode(buf.getvalue()).decode())
    return _png_cache[0]


def _positive(case) -> bool:
    meta = getattr(case, "meta", None)
    if meta is None:  # stateful steps: positive data linked from earlier responses
        return True
    flag = meta.generation.mode.is_positive
    return flag() if callable(flag) else bool(flag)


def _header(headers, name):
    for key in list(headers or {}):
        if key.lower() == name.lower():
            return key
    return None


@schemathesis.hook
def before_call(context, case, kwargs):
    if not _positive(case):
        return
    for headers in (case.headers, kwargs.get("headers")):  # stateful links may set headers on the call itself
        if not headers:
            continue
        key = _header(headers, "Idempotency-Key")
        if key is not None:
            headers[key] = uuid.uuid4().hex
        key = _header(headers, "If-Match")
        if key is not None:
            headers[key] = "*"
    query = case.query
    path = case.operation.path
    if query and path in FEEDS and ("cursor" in query or "updated_since" in query):
        query.pop("ordering", None)
        if "cursor" in query:
            query["cursor"] = _cursor(path)
    body = case.body
    if path == "/api/v1/jobs/" and isinstance(body, dict) and isinstance(body.get("payload"), dict):
        # tests run jobs inline (no worker): a valid 20-step, 2-second self-test would hold the request 40 s
        body["payload"]["delay"] = 0
    if isinstance(body, dict):
        for name in PNG_FIELDS:
            if name in body:
                body[name] = _png()
