"""Counting failed join attempts and logins per client address (an IPv6 /64), in Django's cache.

With a shared cache (Redis) the count holds across every app server; with the
default local-memory cache it is per process, which still slows a guesser down
on a single machine.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address; behind N trusted proxies, the one the outermost saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def counted_address(address: str) -> str:
    """What failures are counted under: an IPv4 address, or an IPv6 address's /64."""
    # Why: one IPv6 client usually holds a whole /64, so per address it could take
    # a fresh limit for every guess.
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def _key(scope: str, request, subject: str | None) -> str:
    # The subject (e.g. a username) replaces the address when given; hashed so
    # any text makes a valid cache key.
    who = (
        counted_address(client_address(request))
        if subject is None
        else hashlib.sha256(subject.encode()).hexdigest()
    )
    return f"rl:{scope}:{who}"


def is_limited(scope: str, request, limit: int, subject: str | None = None) -> bool:
    return (cache.get(_key(scope, request, subject)) or 0) >= limit


def count_failure(scope: str, request, window_seconds: int, subject: str | None = None) -> int:
    key = _key(scope, request, subject)
    # add() starts the window only if it is not running; incr() is atomic in
    # Redis and in the local-memory cache.
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ran out between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        return 1
