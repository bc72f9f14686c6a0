"""Field-level encryption (apps/common/crypto.py; SECURITY.md PII-04)."""

import base64
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from apps.common import crypto

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)


def test_round_trip_is_randomised_and_bound_to_its_column():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        one = crypto.encrypt("张三 13812345678", context="incidents.reporteridentity.name")
        two = crypto.encrypt("张三 13812345678", context="incidents.reporteridentity.name")
        assert one != two  # random nonce: equal plaintexts do not show as equal ciphertexts
        assert "张三" not in one and "13812345678" not in one
        assert one.startswith(f"v1:{crypto.key_id(KEY_A)}:")
        assert crypto.decrypt(one, context="incidents.reporteridentity.name") == "张三 13812345678"
        with pytest.raises(crypto.DecryptionError):  # moved to another column
            crypto.decrypt(one, context="incidents.reporteridentity.phone")


def test_tampered_or_malformed_text_does_not_decrypt():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        stored = crypto.encrypt("李四", context="x.y")
        prefix, kid, body = stored.split(":", 2)
        blob = bytearray(base64.b64decode(body))
        blob[-1] ^= 1
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(f"{prefix}:{kid}:{base64.b64encode(bytes(blob)).decode()}", context="x.y")
        for bad in ("", "v1", "v1:abc", "v2:00000000:AAAA", "v1:00000000:%%%"):
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(bad, context="x.y")


def test_rotation_old_keys_decrypt_new_key_encrypts():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        old = crypto.encrypt("王五", context="x.y")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert crypto.decrypt(old, context="x.y") == "王五"
        assert crypto.encrypt("王五", context="x.y").split(":")[1] == crypto.key_id(KEY_B)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old, context="x.y")


@pytest.mark.parametrize(
    "text", ["", "short", "zz" * 32, "AAECAwQFBgcICQoLDA0ODw=="], ids=["empty", "short", "not-hex", "16-bytes"]
)
def test_bad_keys_are_refused_with_a_chinese_message(text):
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        crypto.parse_key(text)


def test_keys_parse_from_base64_and_hex():
    assert crypto.parse_key(base64.urlsafe_b64encode(KEY_A).decode()) == KEY_A
    assert crypto.parse_key(base64.urlsafe_b64encode(KEY_A).decode().rstrip("=")) == KEY_A
    assert crypto.parse_key(KEY_A.hex()) == KEY_A


def test_production_settings_refuse_to_start_without_the_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haining_foodsafety.settings.production",
        "DJANGO_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "FIELD_ENCRYPTION_KEY": "",
        "DRAW_SIGNING_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    code = "import django; from django.conf import settings; settings.INSTALLED_APPS"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr
    env["FIELD_ENCRYPTION_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
