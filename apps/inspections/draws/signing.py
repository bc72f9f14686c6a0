"""The platform's Ed25519 key for hrs-v2 draw records and the daily commitment digest (docs/draw.md, AUD-06).

The private key is ``settings.DRAW_SIGNING_KEY`` (32 random bytes as base64 or hex, from the environment — never in
the database); the embedded and test stacks derive one from ``SECRET_KEY``. The public key and its id are published on
``/public/draws/`` and by the API; ``tools/verify_draw.py --public-key`` checks a record against it.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from django.conf import settings

from apps.common.crypto import parse_key

SIGNATURE_ALG = "Ed25519"


@functools.lru_cache(maxsize=4)
def _private_key(configured: str, secret_key: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = (
        parse_key(configured) if configured else hashlib.sha256(b"haining-dev-draw-key:" + secret_key.encode()).digest()
    )
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key():
    return _private_key(getattr(settings, "DRAW_SIGNING_KEY", "") or "", settings.SECRET_KEY)


def public_key_bytes() -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64() -> str:
    return base64.b64encode(public_key_bytes()).decode("ascii")


def key_id_of(public_raw: bytes) -> str:
    """First 16 hex digits of sha256(raw public key) — named in every signature (same rule in the verifier)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def key_id() -> str:
    return key_id_of(public_key_bytes())


def public_key_info() -> dict:
    return {"alg": SIGNATURE_ALG, "key_id": key_id(), "public_key": public_key_b64()}


def sign(payload: bytes) -> dict:
    """{"alg", "key_id", "value" (base64)} over ``payload``."""
    value = private_key().sign(payload)
    return {"alg": SIGNATURE_ALG, "key_id": key_id(), "value": base64.b64encode(value).decode("ascii")}


def verify(payload: bytes, signature: dict, *, public_raw: bytes | None = None) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public_raw = public_raw or public_key_bytes()
    if not isinstance(signature, dict) or signature.get("alg") != SIGNATURE_ALG:
        return False
    if signature.get("key_id") != key_id_of(public_raw):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(base64.b64decode(signature.get("value") or ""), payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
