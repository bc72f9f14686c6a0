"""FUZ-02: hypothesis properties of phone masking (PII-01) and Idempotency-Key handling (API-09).

The other FUZ-02 properties live next to their code: the credit-code validator in tests/enterprises/
test_identifiers.py (1,000 examples each), draw selection (k distinct, a subset of the pool, order-invariant) in
tests/inspections/test_draw_algorithm.py::test_selection_properties. There is no ID-number masking function: the
reporter's identity of a complaint is never shown masked, only whole through the audited unmask (tests/incidents).
"""

import json
import random
import string
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.common.api.idempotency import MAX_KEY_LENGTH, _valid_key, request_fingerprint
from apps.enterprises.api.serializers import mask_phone

PRINTABLE_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


# ---------------------------------------------------------------------------- masking (PII-01)
def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


phones = st.one_of(
    st.from_regex(r"\A1[3-9][0-9]{9}\Z"),  # mobiles
    st.from_regex(r"\A0[0-9]{2,3}-?[0-9]{7,8}\Z"),  # fixed lines with an area code
    st.text(st.sampled_from("0123456789 -+()转"), max_size=30),  # whatever a form lets through
    st.text(max_size=30),  # anything, full-width and other Unicode digits included
)


@settings(max_examples=1000, deadline=None)
@given(phones)
def test_a_masked_phone_keeps_only_the_documented_digits(value):
    masked = mask_phone(value)
    digits = _digits(value)
    if not digits:
        assert masked == value  # nothing to hide (e.g. "无")
        return
    shown = _digits(masked)
    assert len(masked) == len(digits) and set(masked) <= set(digits) | {"*"}  # one character per digit, no others
    if len(digits) == 11 and digits.startswith("1"):
        assert masked == digits[:3] + "****" + digits[-4:]
    elif len(digits) <= 5:
        assert shown == ""  # a short number is hidden whole
    else:
        assert masked.count("*") == len(digits) - 5 and shown == digits[:3] + digits[-2:]
    assert len(shown) <= 7


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"), st.sampled_from(["", " ", "-", "  "]))
def test_masking_ignores_the_way_a_mobile_is_written(mobile, sep):
    written = sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert mask_phone(written) == mask_phone(mobile) == f"{mobile[:3]}****{mobile[-4:]}"


# ---------------------------------------------------------------------------- Idempotency-Key (API-09)
@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=MAX_KEY_LENGTH + 20))
def test_a_key_is_valid_exactly_when_it_is_1_to_200_printable_ascii_characters(key):
    assert _valid_key(key) == (0 < len(key) <= MAX_KEY_LENGTH and all(ch in PRINTABLE_ASCII for ch in key))


class _Request:
    """What request_fingerprint reads of a DRF request."""

    def __init__(self, method, path, data):
        self.method, self._path, self.data, self.body = method, path, data, b""

    def get_full_path(self):
        return self._path


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=6)


def _shuffled(value, rnd):
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@settings(max_examples=500, deadline=None)
@given(bodies, st.randoms(use_true_random=False))
def test_the_fingerprint_ignores_key_order_and_sees_every_value(body, rnd):
    path = "/api/v1/jobs/?x=1"
    fp = request_fingerprint(_Request("POST", path, body))
    assert request_fingerprint(_Request("POST", path, _shuffled(body, rnd))) == fp  # order of keys is not content
    key = rnd.choice(sorted(body))
    changed = {**body, key: [body[key], "changed"]}
    assert request_fingerprint(_Request("POST", path, changed)) != fp
    assert request_fingerprint(_Request("PATCH", path, body)) != fp
    assert request_fingerprint(_Request("POST", "/api/v1/jobs/?x=2", body)) != fp


keys = st.one_of(
    st.text(st.sampled_from(PRINTABLE_ASCII), min_size=1, max_size=MAX_KEY_LENGTH),
    st.text(st.sampled_from(string.ascii_letters + " \t"), max_size=8),  # blank and padded keys
    st.text(st.characters(codec="latin-1"), min_size=1, max_size=12),  # control and non-ASCII characters
    st.text(st.sampled_from("abc"), min_size=MAX_KEY_LENGTH + 1, max_size=MAX_KEY_LENGTH + 5),
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys)
def test_any_key_is_honoured_once_or_refused_with_400(reference, key):
    """Through the API: a key is used at most once per client (a resend replays the first answer, byte for byte,
    and creates nothing), an invalid one is a 400 that names the header, never a 5xx."""
    from apps.accounts.services import api_client_create
    from apps.common.models import Job

    _, token = api_client_create(
        name=f"属性测试-{uuid.uuid4().hex[:8]}", scopes=["jobs:read", "jobs:write"], city_wide=True
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}}
    before = Job.objects.count()
    answers = [client.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY=key) for _ in range(2)]
    if _valid_key(key.strip()):
        assert [a.status_code for a in answers] == [202, 202]
        assert answers[0].content == answers[1].content and answers[1]["Idempotent-Replayed"] == "true"
        assert Job.objects.count() == before + 1
        other = client.post("/api/v1/jobs/", {**body, "title": "另一个"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert other.status_code in (400, 422) and Job.objects.count() == before + 1
    else:
        assert [a.status_code for a in answers] == [400, 400]
        assert json.loads(answers[0].content)["code"] == "idempotency_key_invalid"
        assert Job.objects.count() == before


def test_shuffle_helper_really_reorders():
    body = {str(i): i for i in range(20)}
    assert list(_shuffled(body, random.Random(1))) != list(body)
