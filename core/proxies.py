"""The client's address, as the throttles and the login lockout see it (docs/security.md 31).

`REMOTE_ADDR` is the peer that opened the connection. Behind a reverse proxy that peer is the proxy,
for every visitor; the proxy tells who its own peer was by appending to `X-Forwarded-For`. Anyone
can send that header, so it is believed only hop by hop from the right, as far as the hops are
proxies listed in `TRUSTED_PROXIES` (addresses or networks): the client is the right-most hop that
is not one of ours. With no trusted proxy, the header is ignored.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The client's address: `REMOTE_ADDR`, or behind trusted proxies the right-most untrusted hop of
    `X-Forwarded-For` (django-axes calls it too: AXES_CLIENT_IP_CALLABLE)."""
    address: str = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(address):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            break  # not an address a proxy of ours wrote: keep the last one it did
        if not _is_trusted(address):
            break
    return address
