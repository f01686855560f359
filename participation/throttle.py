"""Per-IP rate limits of the public forms (Django's cache; the default LocMem cache per process).

Behind a reverse proxy, REMOTE_ADDR must be the client's address (set by the proxy configuration);
the limits then apply per client, otherwise per proxy — which errs on the strict side.
"""

from django.core.cache import cache

LIMITS = {
    # action: (attempts, seconds)
    "propose": (5, 3600),
    "vote": (20, 600),  # also slows down anyone trying to guess codes
}


def allow(request, action: str) -> bool:
    """Count one attempt of `action` from this IP; False once the limit is reached in the window."""
    limit, window = LIMITS[action]
    key = f"participation:{action}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, window)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        attempts = 1
    return attempts <= limit
