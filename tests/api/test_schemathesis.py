"""The OpenAPI contract is what the server does (issue 8 point 12), locked in: schemathesis 4 runs against
/api/v1/schema/ as a provincial integrator's generated client would — all checks, every phase (examples,
coverage, fuzzing, stateful), a city-wide token with every scope — and must find nothing. Then once per role token
(FUZ-01): a township-scoped client, a city-wide reader and a city-wide writer, each on the operations its scopes
reach, with a short budget (``ST_ROLE_EXAMPLES``, default 2 examples per operation, 1 for the reader).

Bounded for ``make test``: ``ST_EXAMPLES`` examples per operation (default 4; ``ST_PHASES`` narrows the phases, the
coverage phase being the long one), a fixed seed, one worker, a small
world (enterprises, grades, a finalised inspection with its publication, a draw plan, a job). The same run at
full size, against a demo server: see docs/api.md ("Contract tests").

The client behaviour that no schema can generate (a server-issued cursor, a fresh Idempotency-Key, If-Match
``*``, a real PNG) comes from tests/api/schemathesis_hooks.py, for positive cases only.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apps.accounts.services import api_client_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.schemathesis]

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SCOPES = [
    "jobs:read",
    "jobs:write",
    "reference:read",
    "standards:read",
    "enterprises:read",
    "enterprises:write",
    "risk:read",
    "inspections:read",
    "inspections:write",
    "sampling:read",
    "sampling:results:write",
    "incidents:read",
    "complaints:read",
    "assessment:campaigns:read",
    "assessment:read",
]
SEED = 20261206


def _world():
    from django.contrib.auth import get_user_model

    from apps.accounts.models import Township
    from apps.common.models import Job
    from apps.risk import services as risk
    from apps.risk.models import CreditClass, RiskEvent
    from tests.common.test_feeds_contract import _final_result, _plan_line
    from tests.factories.enterprises import EnterpriseFactory
    from tests.factories.sampling import SampleFactory
    from tests.inspections.factories import make_enterprise, make_task
    from tests.sampling.lab.helpers import reported_result

    townships = list(Township.objects.order_by("order")[:2])
    for township in townships:
        for _ in range(3):
            ent = EnterpriseFactory(township=township)
            risk.assessment_recompute(enterprise_id=ent.pk, actor=None, on=dt.date(2025, 3, 1))
        CreditClass.objects.create(enterprise=ent, credit_class="B", source="测试", as_of=dt.date(2025, 3, 1))
        RiskEvent.objects.create(
            enterprise=ent, event_type="incident", occurred_on=dt.date(2025, 3, 1), description="x"
        )
        make_task(make_enterprise(township))
        _final_result(township)
        SampleFactory(task__plan_line__township=township)
        reported_result(township)  # a sampling result (the lab's API; the fuzzing client is no lab's member)
        _plan_line(township)  # an issued sampling plan's line in each township
    user = get_user_model().objects.filter(is_service_account=False).first()
    if user is not None:
        Job.objects.create(kind="common.selftest", created_by=user)


SKIP_NO_SCHEMATHESIS = pytest.mark.skipif(
    not SCHEMATHESIS.exists() and not shutil.which("schemathesis"), reason="schemathesis not installed"
)


def _schemathesis(live_server, token, tmp_path, *, phases: str, examples: str, extra=(), timeout=400):
    base = live_server.url.replace("://localhost:", "://127.0.0.1:")  # no IPv6-first lookup per request
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "ST_BASE_URL": base,
        "ST_TOKEN": token,
    }
    command = [
        str(SCHEMATHESIS if SCHEMATHESIS.exists() else shutil.which("schemathesis")),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{base}/api/v1/schema/?format=json",
        "-H",
        f"Authorization: Bearer {token}",
        # one connection per request: on a reused keep-alive connection the test server's separate header and body
        # writes meet the client's delayed ACK (~40 ms a request), which was most of this run's wall time
        "-H",
        "Connection: close",
        "--phases",
        phases,
        "-n",
        examples,
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "-w",
        "1",
        "--no-color",
        *extra,
    ]
    run = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout[-15000:] + run.stderr[-3000:]
    assert "passed" in run.stdout.rsplit("SUMMARY", 1)[-1]
    return run


@SKIP_NO_SCHEMATHESIS
def test_openapi_contract_holds_under_schemathesis(live_server, reference, tmp_path):
    _world()
    _, token = api_client_create(name="schemathesis", scopes=SCOPES, city_wide=True)
    _schemathesis(
        live_server,
        token,
        tmp_path,
        phases=os.environ.get("ST_PHASES", "examples,coverage,fuzzing,stateful"),
        examples=os.environ.get("ST_EXAMPLES", "4"),
    )


# FUZ-01 per role: the same contract for the tokens a real deployment issues, each run limited to the operations its
# scopes reach (a read-only client's writes are refused by scope before any schema applies; that refusal is the
# authorization matrix's business, tests/security), with a short budget: 2 examples per operation (1 for the reader,
# whose GETs the run above covers with every scope; ST_ROLE_EXAMPLES overrides), the examples and fuzzing phases
# (the coverage and stateful phases run once above, with every scope).
READ_SCOPES = [s for s in SCOPES if s.endswith(":read")]
WRITE_SCOPES = [s for s in SCOPES if s.endswith(":write")]
WRITES = ["--include-method-regex", "^(POST|PUT|PATCH|DELETE)$"]
ROLES = {
    # a township's own system (e.g. a 市场监管所 client): every scope, the objects of one township only
    "township": {"scopes": SCOPES, "city_wide": False, "examples": "2", "extra": []},
    # a city-wide reader (the dashboard of another bureau): read scopes only, GET operations
    "city-read": {"scopes": READ_SCOPES, "city_wide": True, "examples": "1", "extra": ["--include-method", "GET"]},
    # a city-wide writer (the provincial platform pushing results): write scopes only, write operations
    "city-write": {"scopes": WRITE_SCOPES, "city_wide": True, "examples": "2", "extra": WRITES},
}
MIN_OPERATIONS = {"township": 70, "city-read": 55, "city-write": 10}  # 73, 61 and 12 operations on 2026-12-07


@SKIP_NO_SCHEMATHESIS
def test_openapi_contract_holds_for_each_role_token(live_server, reference, tmp_path):
    """One world and one database teardown for the three runs (each teardown of a live-server test flushes every
    table: ~6 s on the shared CI machine)."""
    from apps.accounts.models import Township

    _world()
    township = Township.objects.order_by("order").first().code
    for role, spec in ROLES.items():
        _, token = api_client_create(
            name=f"schemathesis-{role}",
            scopes=spec["scopes"],
            city_wide=spec["city_wide"],
            township_codes=[] if spec["city_wide"] else [township],
        )
        run = _schemathesis(
            live_server,
            token,
            tmp_path,
            phases="examples,fuzzing",
            examples=os.environ.get("ST_ROLE_EXAMPLES", spec["examples"]),
            extra=spec["extra"],
            timeout=200,
        )
        tested = re.search(r"Tested: (\d+)", run.stdout)
        assert tested and int(tested.group(1)) >= MIN_OPERATIONS[role], f"{role}: {run.stdout[-3000:]}"
