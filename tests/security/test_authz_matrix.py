"""ACL-01 (with ACL-06, ACL-08, ACL-10 as rules over it): the generated role × route × method matrix
(tests/security/authz.py) — no 5xx anywhere, equal to the committed table (a route without a row fails, a row
without a route fails), no refused write leaves a trace in the database, and the rules below hold whatever the
table says. Scope (township A vs B on real rows) is the contract of tests/helpers/scoped_api.py and
tests/common/test_scoping_coverage.py; here the ids do not exist, so a caller past the permission check gets 404.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import make_user
from tests.security import authz

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("authz_matrix.txt")
# Writes a request may make whatever its answer: the session (sign-in state), the audit trail (refusals are
# logged, AUD-02), django-axes' access log, idempotency records and the permission cache are not side effects.
NOT_SIDE_EFFECTS = {
    "django_session",
    "common_auditevent",
    "common_auditchainhead",
    "common_idempotencyrecord",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "axes_accessattemptexpiration",
}

# Rule ACL-10: what an anonymous caller may reach (path prefixes), each with its reason.
PUBLIC = {
    "/accounts/login/": "the login page",
    "/accounts/logout/": "signing out (nothing to do for a caller who is not signed in)",
    "/manage/logout/": "the admin's sign-out page (the same)",
    "/public/": "一公开 portal: draws, results, look-up, verifier; 你点我检 votes; the complaint form",
}


def _is_public(path: str) -> bool:
    return path.startswith(tuple(PUBLIC))


def _changes_counter():
    """A function returning how many rows the requests so far have written (outside NOT_SIDE_EFFECTS)."""
    tables = [t for t in connection.introspection.table_names() if t not in NOT_SIDE_EFFECTS]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("CREATE TEMP TABLE authz_changes (n INTEGER NOT NULL)")
            cur.execute("INSERT INTO authz_changes VALUES (0)")
            for t in tables:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    cur.execute(
                        f'CREATE TEMP TRIGGER "authz_{op}_{t}" AFTER {op} ON main."{t}" '
                        "BEGIN UPDATE authz_changes SET n = n + 1; END"
                    )

            def count():
                with connection.cursor() as c:
                    c.execute("SELECT n FROM authz_changes")
                    return c.fetchone()[0]

            return count

    def count():  # PostgreSQL: this transaction's row counts (rolled-back savepoints included: stricter)
        with connection.cursor() as c:
            c.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
                "WHERE relname = ANY(%s)",
                [tables],
            )
            return int(c.fetchone()[0])

    return count


def _client_for(actor: str | None, township_a):
    """The actor's client and how to sign it in again (after a sign-out route)."""
    client = Client(raise_request_exception=False)
    if actor is None:
        return client, lambda: None
    user = make_user(f"authz_{actor}", None if actor == "nobody" else actor, [township_a])
    client.force_login(user)
    return client, lambda: client.force_login(user)


def _column(actor, township_a):
    """The actor's letters, one per cell (in ``authz.cells()`` order), and the problems found on the way."""
    client, sign_in_again = _client_for(actor, township_a)
    changes = _changes_counter()
    letters, problems = {}, []
    for cell in authz.cells():
        if cell.is_admin and actor not in authz.ADMIN_ACTORS:
            letters[cell.key] = "-"
            continue
        before = changes() if cell.method in authz.UNSAFE else None
        response = authz.request(client, cell)
        letter = authz.classify(response)
        letters[cell.key] = letter
        who = authz.actor_label(actor)
        if letter == "5":
            problems.append(f"{who}: {cell.key} -> {response.status_code}")
        if before is not None and letter in "dnm" and changes() != before:
            problems.append(f"{who}: {cell.key} refused ({response.status_code}) but wrote to the database")
        if "logout" in cell.key:
            sign_in_again()
    return letters, problems


def _rules(actor, letters) -> list[str]:
    """Rules that hold whatever the table says."""
    who, out = authz.actor_label(actor), []
    for key, letter in letters.items():
        path, method = key.rsplit(" ", 1)
        got_in = letter in "oi"
        if actor is None and got_in and not _is_public(path):
            out.append(f"ACL-10 {who} got in: {key} ({letter})")
        if actor == "city_leader" and got_in and method in authz.UNSAFE and not _leader_may(path):
            out.append(f"ACL-06 {who} may write: {key} ({letter})")
        if actor == "sys_admin" and got_in and path.startswith(("/audit/", "/api/v1/audit")):
            out.append(f"ACL-08 the system administrator reads the audit log: {key}")
        if actor in ("audit_admin", "security_admin") and got_in and method in authz.UNSAFE:
            if not path.startswith(_ADMIN_WRITES[actor]) and not _is_public(path):
                out.append(f"ACL-08 {who} writes outside their duty: {key} ({letter})")
    return out


# The city leader's non-reading requests: signing out, their own password, asking for a report file (a job that
# reads; docs/reports.md) and the system self-test job (the only kind POST /api/v1/jobs/ starts; it writes its own
# Job row).
LEADER_WRITES = ("/accounts/", "/dashboard/reports/generate/", "/jobs/", "/api/v1/jobs/")
_ADMIN_WRITES = {
    "audit_admin": ("/accounts/", "/manage/", "/audit/", "/jobs/", "/api/v1/jobs/"),
    # and the PII retention run (complainants' identities anonymised after the records period: a security duty)
    "security_admin": ("/accounts/", "/manage/", "/jobs/", "/api/v1/jobs/", "/incidents/complaints/retention/"),
}


def _leader_may(path: str) -> bool:
    return path.startswith(LEADER_WRITES) or _is_public(path)


def test_every_route_is_walked():
    keys = {c.key for c in authz.cells()}
    assert len(keys) == len(authz.cells()), "two cells share a key"
    assert any(k.startswith("/api/v1/enterprises/ ") for k in keys) and any(k.startswith("/manage/") for k in keys)
    assert len({c.route.regex for c in authz.cells()}) >= 550


@pytest.mark.parametrize("actor", authz.ACTORS, ids=authz.actor_label)
def test_matrix_column(actor, township_a, request):
    letters, problems = _column(actor, township_a)
    problems += _rules(actor, letters)
    if request.config.getoption("--authz-regen"):
        _store_column(actor, letters)
    else:
        table = authz.read_table(TABLE) if TABLE.exists() else {}
        col = authz.ACTORS.index(actor)
        for key, letter in letters.items():
            row = table.get(key)
            if row is None:
                problems.append(f"no row for {key}: regenerate the table (tests/security/authz.py) and review it")
            elif row[col] != letter:
                problems.append(f"{authz.actor_label(actor)}: {key} is {letter!r}, the table says {row[col]!r}")
        for key in set(table) - set(letters):
            problems.append(f"the table has a row for a route that no longer exists: {key}")
    assert not problems, "\n".join(problems[:60]) + (f"\n… {len(problems) - 60} more" if len(problems) > 60 else "")


_REGEN: dict[str, dict[str, str]] = {}


def _store_column(actor, letters) -> None:
    """--authz-regen (with -n 0): collect the columns; the last one writes the table."""
    _REGEN[authz.actor_label(actor)] = letters
    if len(_REGEN) == len(authz.ACTORS):
        rows = {
            key: "".join(_REGEN[authz.actor_label(a)][key] for a in authz.ACTORS)
            for key in _REGEN[authz.actor_label(None)]
        }
        authz.write_table(TABLE, rows)


def test_the_rules_catch_an_open_route():
    """Test the test: an anonymous caller let into a page, a leader allowed to write, a refusal that wrote."""
    assert _rules(None, {"/enterprises/ GET": "o"}) == ["ACL-10 anonymous got in: /enterprises/ GET (o)"]
    assert _rules("city_leader", {"/enterprises/{pk}/edit/ POST": "i"})
    assert not _rules("city_leader", {"/enterprises/ GET": "o", "/accounts/logout/ POST": "o"})
    assert _rules("sys_admin", {"/audit/ GET": "o"})
