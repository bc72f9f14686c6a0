"""TOTP second factor (django-otp) and one-time recovery codes (SECURITY.md AUTH-06).

Who needs it: the three admin roles (系统/安全/审计管理员), city staff (市局业务科室人员), and any staff or superuser
account. A session of such a user counts as signed in only once ``django_otp.login`` has put a confirmed device in
it (the web login's second step); ``AccountPolicyMiddleware`` ends any other session of such a user, whatever path
made it. Replay: a TOTP device accepts each time step once (``last_t``); recovery codes are single-use.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from .roles import ADMIN_ROLE_CODES, role_codes_for

SECOND_FACTOR_ROLE_CODES = ADMIN_ROLE_CODES | {"city_staff"}
RECOVERY_CODE_COUNT = 10
ISSUER = "海宁食安监管"


def requires_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_service_account", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(set(role_codes_for(user)) & SECOND_FACTOR_ROLE_CODES)


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user):
    """The unconfirmed device of an enrolment in progress (one per user), created on first call."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="验证器 App", confirmed=False)
    return device


def base32_secret(device) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def otpauth_uri(device) -> str:
    label = quote(f"{ISSUER}:{device.user.username}")
    return (
        f"otpauth://totp/{label}?secret={base32_secret(device)}&issuer={quote(ISSUER)}"
        f"&digits={device.digits}&period={device.step}&algorithm=SHA1"
    )


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an inline SVG (qrcode's path image: no raster library, no external asset)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def totp_verify(device, code: str) -> bool:
    """A 6-digit code of the device, each time step accepted once (django-otp's replay guard and throttling)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != device.digits:
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    return device.verify_token(code)


def _hash_code(code: str) -> str:
    normalised = code.strip().replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(f"{settings.SECRET_KEY}:recovery:{normalised}".encode()).hexdigest()


def recovery_codes_generate(user) -> list[str]:
    """Replace the user's recovery codes by 10 new ones; returns them (shown once; only their hashes are kept)."""
    from .models import RecoveryCode

    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
    return codes


def recovery_code_use(user, code: str) -> bool:
    """Spend one unused recovery code of ``user``; False when it is unknown, another user's, or already used."""
    from .models import RecoveryCode

    if not code or len(code) > 32:
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_hash_code(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def recovery_codes_left(user) -> int:
    from .models import RecoveryCode

    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
