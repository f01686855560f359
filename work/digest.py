"""The daily digest: one e-mail a day to each person for whom something waits, saying how many of
each kind — never what (no case code, no person's name, no registry code, no title) — and linking to
"Mon travail". Sent by `manage.py send_digests` (cron), through `accounts.mail.send_notice`."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.mail import send_notice
from accounts.models import User

from .models import DigestSent
from .waiting import counts


def recipients() -> QuerySet[User]:
    """Active people who keep the digest (User.daily_digest) and have an address."""
    return User.objects.filter(is_active=True, daily_digest=True).exclude(email="").order_by("pk")


def send_digest(user: User, today: datetime.date) -> bool:
    """Queues her digest for `today` unless one was sent today already or nothing waits; whether sent."""
    with transaction.atomic():
        sent, _created = DigestSent.objects.select_for_update().get_or_create(
            user=user, defaults={"sent_on": today - datetime.timedelta(days=1)}
        )
        if sent.sent_on >= today:
            return False
        waiting = counts(user, today)
        if not any(waiting.values()):
            return False
        site = settings.TWIZA_SITE_URL.rstrip("/")
        context = {
            "counts": waiting,
            "total": sum(waiting.values()),
            "url": site + reverse("work:mine"),
            "opt_out_url": site + reverse("work:digest_off"),
        }
        send_notice(user, "digest", context)
        sent.sent_on = today
        sent.save(update_fields=["sent_on"])
    return True


def send_digests(today: datetime.date | None = None) -> int:
    """Every recipient's digest for `today` (the local date by default); how many were queued."""
    today = today or timezone.localdate()
    return sum(send_digest(user, today) for user in recipients())
