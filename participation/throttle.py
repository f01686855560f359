"""Per-client rate limits of the public forms, in Django's cache — the database cache, shared by every
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
}


def allow(request, action: str) -> bool:
    """Count one attempt of `action` from this client; False once the limit is reached in the window."""
    limit, window = LIMITS[action]
    slots = [f"participation:{action}:{client_ip(request)}:{n}" for n in range(limit)]
    taken = cache.get_many(slots)
    return any(cache.add(slot, 1, window) for slot in slots if slot not in taken)
