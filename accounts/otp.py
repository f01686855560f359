"""docs/security.md 17: who must confirm a TOTP second factor (django-otp), and the demo's devices."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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
