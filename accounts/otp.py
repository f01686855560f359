"""docs/security.md 17: who must confirm a TOTP second factor (django-otp), and the demo's devices."""

import base64
import secrets

import segno
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import BackupCodes, hash_backup_code
from partnerships.models import Membership, Role

# docs/security.md 17: "listening-centre staff and administrators" — a partnership's admin too (she
# gives its roles, issue 16).
OTP_ROLES = (Role.LISTENER, Role.CENTRE_COORDINATOR, Role.ADMIN)


def requires_otp(user) -> bool:
    """Listening-centre staff (listener, centre coordinator), a partnership's admin and the platform
    administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=OTP_ROLES).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator app shows now (for the demo and the tests)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


BACKUP_CODE_COUNT = 10


def _new_backup_code() -> str:
    """16 random base-32 characters (80 bits), shown in groups of four: abcd-efgh-ijkl-mnop."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def issue_backup_codes(user) -> list[str]:
    """Replaces her backup codes with `BACKUP_CODE_COUNT` new ones, returned once to be shown once;
    only their hashes are kept (accounts.models.BackupCodes)."""
    BackupCodes.objects.filter(user=user).delete()
    device = BackupCodes.objects.create(user=user, name="secours", confirmed=True)
    codes = [_new_backup_code() for _n in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=hash_backup_code(c)) for c in codes)
    return codes


def backup_device(user) -> BackupCodes | None:
    return BackupCodes.objects.filter(user=user, confirmed=True).order_by("pk").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (segno), for her authenticator app's camera."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
