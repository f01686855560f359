"""Demo second factors: the personas who must use TOTP get a confirmed device (docs/api.md)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.otp import requires_otp


def load_devices() -> None:
    """A confirmed TOTP device for every demo user who needs one; idempotent."""
    for user in User.objects.filter(username__in=["admin", "ecoute", "centre"]):
        if requires_otp(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="démo", confirmed=True)
