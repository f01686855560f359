"""Per-client rate limits of the public forms and of "Mot de passe oublié ?", in Django's cache — the database cache, shared by every
worker and every app server (docs/security.md 31); the client's address comes from core.proxies.

Each attempt takes a slot of its own (`cache.add`, atomic: the table's primary key), kept for the
window: the database cache's `incr` is a read then a write, which concurrent attempts would race
through. The window slides: an attempt counts for exactly `seconds` after it was made.
"""

from django.core.cache import cache

from core.proxies import client_ip

LIMITS = {
    # action: (attempts, seconds)
    "propose": (5, 3600),
    "vote": (20, 600),  # also slows down anyone trying to guess codes
    # "Mot de passe oublié ?" (accounts/views.py): per client and per address asked for.
    "password_reset": (10, 3600),
    "password_reset_address": (3, 3600),
    # ODK Collect's device passwords (collect/openrosa.py): only wrong passwords count, per client and
    # per username from a client, as django-axes counts failed logins (AXES_FAILURE_LIMIT 5,
    # AXES_COOLOFF_TIME half an hour, per username and address).
    "device_password": (100, 1800),  # every phone of an office may share its one address
    "device_password_user": (5, 1800),
}


def spent(request, action: str, who: str = "") -> bool:
    """Whether every slot of `action` is taken for this client (or `who`), without taking one: a
    door that counts only failures asks this first, and calls `allow` when an attempt fails."""
    limit, _window = LIMITS[action]
    who = who or client_ip(request)
    return len(cache.get_many([f"throttle:{action}:{who}:{n}" for n in range(limit)])) >= limit


def allow(request, action: str, who: str = "") -> bool:
    """Count one attempt of `action` from this client (or by `who`, e.g. the address a reset link is
    asked for); False once the limit is reached in the window."""
    limit, window = LIMITS[action]
    who = who or client_ip(request)
    slots = [f"throttle:{action}:{who}:{n}" for n in range(limit)]
    taken = cache.get_many(slots)
    return any(cache.add(slot, 1, window) for slot in slots if slot not in taken)
