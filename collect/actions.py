"""The changes of offline collection, each in one place (the views and commands call them)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from partnerships.models import Structure

from .models import CollectSettings, Device, digest, new_secret

# B — devices.

# ODK Collect makes several requests a minute while it syncs; one write a minute says enough.
SEEN_EVERY = dt.timedelta(minutes=1)


def create_device(user, structure: Structure, label: str, created_by) -> tuple[Device, str]:
    """A new device password for `user` in `structure`, and the password itself, which only its
    digest keeps: shown once. The caller has checked that `user` collects there
    (`collect.access.may_collect`); on the pages she creates one only for herself (the phone signs in
    as her), the `create_device_password` command for whom the system administrator names."""
    raw = new_secret()
    device = Device.objects.create(
        partnership=structure.partnership,
        structure=structure,
        user=user,
        label=label,
        secret_hash=digest(raw),
        created_by=created_by,
    )
    return device, raw


def revoke_device(device: Device, by) -> None:
    """Revokes the device for good (anyone who collects for its structure may: a lost phone); its
    next request gets 401. Revoking it twice keeps the first date."""
    now = timezone.now()
    Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)


def device_seen(device: Device) -> None:
    """Notes that the device just signed in, at most once a minute (the OpenRosa door calls it)."""
    now = timezone.now()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    Device.objects.filter(pk=device.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
    ).update(last_seen_at=now)
    device.last_seen_at = now


# A — forms ------------------------------------------------------------------------------------


def save_collect_settings(structure: Structure, person_label: str) -> CollectSettings:
    """The coordinator or the structure's staff (collect/access.py `may_collect`) choose what the
    phone shows of each person; the forms' next version carries it (collect/xlsforms.py)."""
    found, _created = CollectSettings.objects.update_or_create(
        structure=structure, defaults={"person_label": person_label}
    )
    return found
