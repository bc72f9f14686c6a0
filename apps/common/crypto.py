"""Field-level encryption at rest (SECURITY.md PII-04; 等保 8.1.4.8 b): AES-256-GCM with a key from the environment.

``EncryptedTextField`` stores ``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``. The nonce is random, so the same
plaintext never gives the same stored text (no equality lookups, no LIKE: a column like this cannot be searched, and
that is the point). The additional authenticated data is the model label and field name, so a ciphertext copied into
another column or table does not decrypt.

Keys (``settings.FIELD_ENCRYPTION_KEYS``, built from ``FIELD_ENCRYPTION_KEY`` and ``FIELD_ENCRYPTION_OLD_KEYS``): the
first encrypts, all decrypt (rotation: put the new key first, re-save the rows, drop the old key). Production refuses
to start without ``FIELD_ENCRYPTION_KEY``; the embedded stack derives a development key from ``SECRET_KEY``.

Keep encrypted fields on a model of their own (for example the reporter identity of a complaint), loaded only by
the one selector allowed to unmask it: a model instance holds the plaintext once loaded.
"""

import base64
import hashlib
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value that no configured key opens (wrong key, tampered text, or moved between columns)."""


def parse_key(text: str) -> bytes:
    """A key as configured: 32 bytes in base64 (url-safe or standard) or 64 hex characters."""
    text = (text or "").strip()
    raw = b""
    if len(text) == 64:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
    if not raw:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (ValueError, TypeError):
            raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY 必须是 32 字节的随机密钥（base64 或 64 位十六进制）；"
            '生成：python3 -c "import secrets, base64; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
        )
    return raw


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"haining-field-key-id:" + key).hexdigest()[:8]


def _keys() -> list[bytes]:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    if not keys:
        raise ImproperlyConfigured("没有配置字段加密密钥（FIELD_ENCRYPTION_KEY）")
    return keys


def encrypt(plaintext: str, *, context: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}:{key_id(key)}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str, *, context: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        prefix, kid, body = stored.split(":", 2)
        blob = base64.b64decode(body, validate=True)
    except (ValueError, TypeError) as exc:
        raise DecryptionError("密文格式不正确") from exc
    if prefix != PREFIX or len(blob) <= NONCE_BYTES:
        raise DecryptionError("密文格式不正确")
    for key in _keys():
        if key_id(key) != kid:
            continue
        try:
            return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")
        except InvalidTag as exc:
            raise DecryptionError("密文无法用配置的密钥解开（密钥不对、被篡改或被移到了别的字段）") from exc
    raise DecryptionError(f"没有编号为 {kid} 的字段加密密钥")


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. ``""`` and ``None`` are stored as they are (an empty field says nothing); every other
    value is AES-256-GCM ciphertext bound to this model and field. Only ``isnull`` and exact ``""`` make sense as
    filters; the field is never indexed."""

    description = "加密文本"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "apps.common.crypto.EncryptedTextField", args, kwargs

    @property
    def crypto_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), context=self.crypto_context)


def encrypted_columns() -> set[tuple[str, str]]:
    """(table, column) of every encrypted field: what a plaintext scan of the database skips."""
    from django.apps import apps

    return {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
