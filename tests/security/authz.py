"""The authorization matrix (SECURITY.md ACL-01, §2.1): every route of the site (pages, API, the Django admin) ×
every role (and anonymous, and a signed-in user with no role) × every method the route answers, requested with ids
that do not exist, each answer reduced to one letter:

    o  allowed: 2xx, or a redirect that is not to a login page (the caller got past every check)
    i  allowed to try, refused on content: 400, 409, 412, 415, 422, 428 (a form or body error)
    n  404: past the permission check, no such row (the row checks then scope it: tests/helpers/scoped_api.py)
    d  denied: 401, 403, or a redirect to a login page
    m  405: the route does not answer that method for this caller
    -  not requested: the Django admin for a caller who is not staff (AdminSite refuses every admin route alike
       for them; the "nobody" column walks each admin route to show it)

Pages and the admin are asked GET and POST (POST only where the view has a post handler: a view without one is
405 before any check, ``ScopedAccessMixin``); API routes every method they map. The run must give no 5xx. It is
compared with the committed table ``authz_matrix.txt`` (regenerate and review:
``.venv/bin/python -m pytest --ds=haining_foodsafety.settings.test tests/security -n 0 --authz-regen``) and
checked against rules that do not come from the table (``test_authz_matrix.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import resolve

from tests.helpers.scoped_api import ApiRoute, api_routes

# Column order of the table. None: anonymous; "nobody": signed in, no role.
ACTORS = (
    None,
    "nobody",
    "township_staff",
    "inspector",
    "sampler",
    "lab_staff",
    "city_staff",
    "complaint_officer",
    "city_leader",
    "sys_admin",
    "security_admin",
    "audit_admin",
)
ADMIN_ACTORS = {None, "nobody", "sys_admin", "security_admin", "audit_admin"}
SAFE = ("GET",)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
INVALID = {400, 409, 412, 413, 415, 422, 428}
LOGIN_PATHS = (resolve_url(settings.LOGIN_URL), "/manage/login/")


def actor_label(code: str | None) -> str:
    return code or "anonymous"


@dataclass(frozen=True)
class Cell:
    route: ApiRoute
    method: str

    @property
    def key(self) -> str:
        return f"{self.route.openapi_path} {self.method}"

    @property
    def is_api(self) -> bool:
        return self.route.regex.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.regex.startswith("manage/")


def _methods(route: ApiRoute) -> list[str]:
    callback = route.callback
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF ViewSet route: the methods it maps
        return sorted(m.upper() for m in actions if m.upper() in SAFE + UNSAFE)
    cls = route.view_class
    if cls is not None and hasattr(cls, "http_method_names"):
        if route.regex.startswith("api/"):
            return [m for m in SAFE + UNSAFE if hasattr(cls, m.lower())]
        return [m for m in ("GET", "POST") if hasattr(cls, m.lower())]
    return ["GET", "POST"]  # function views (the admin's, the login page's): ask both


def cells() -> list[Cell]:
    out = []
    for route in api_routes(""):
        if route.regex.startswith(("static/", "media/", "__debug__/")):
            continue
        out.extend(Cell(route, m) for m in _methods(route))
    return sorted(out, key=lambda c: c.key)


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return "5"
    if status in (401, 403):
        return "d"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "d" if location.split("?")[0].startswith(LOGIN_PATHS) else "o"
    if status == 404:
        return "n"
    if status == 405:
        return "m"
    if status in INVALID or 400 <= status < 500:
        return "i"
    return "o"


# Ids that exist in no test database, whatever the engine's sequences (SQLite reuses 1 after a rollback, PostgreSQL
# does not): the first candidate a parameter's pattern accepts.
_CANDIDATES = (
    "987654321",
    "0" * 31 + "1",
    "00000000-0000-0000-0000-000000000001",
    "x",
    "2026",
    "2026-01-01",
    "json",
    "xlsx",
)


def sample_path(route: ApiRoute) -> str:
    """A path that resolves to ``route``, each parameter the first candidate its group's pattern accepts (ids that
    do not exist)."""
    groups = dict(re.findall(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", route.regex))
    values = {}
    for name in route.params:
        pattern = groups.get(name, "[^/]+")
        literal = pattern.split("|")[0] if re.fullmatch(r"[\w|-]+", pattern) else None  # an alternation of words
        values[name] = literal or next((c for c in _CANDIDATES if re.fullmatch(pattern, c)), "1")
        if name == "format":
            values[name] = "json"
    path = "/" + route.template % values
    match = resolve(path)
    assert match.func is route.callback, f"{path} resolves to another view than {route.regex!r}"
    return path


def request(client: Client, cell: Cell):
    path = sample_path(cell.route)
    if cell.is_api:
        body = "{}" if cell.method in ("POST", "PUT", "PATCH") else None
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        return client.generic(cell.method, path, **kwargs)
    if cell.method == "POST":
        return client.post(path, {})
    return client.get(path)


def read_table(path) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, letters = line.rpartition(" ")
        table[key.strip()] = letters
    return table


def write_table(path, rows: dict[str, str]) -> None:
    width = max(len(k) for k in rows)
    header = [
        "# Authorization matrix (tests/security/authz.py explains the letters; test_authz_matrix.py checks it).",
        "# One line a route and method; one letter a column: " + " ".join(actor_label(a) for a in ACTORS),
        "# Regenerate after a deliberate change and review the diff:",
        "#   .venv/bin/python -m pytest --ds=haining_foodsafety.settings.test tests/security -n 0 --authz-regen",
    ]
    lines = [f"{k.ljust(width)} {v}" for k, v in sorted(rows.items())]
    path.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
