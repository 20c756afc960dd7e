"""Counting failed join attempts and logins per client address (an IPv6 /64), per
browser or per username, in Django's cache.

With a shared cache (Redis) the count holds across every app server; with the
default local-memory cache it is per process, which still slows a guesser down
on a single machine.
"""

import hashlib
import ipaddress
import re
import secrets

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


# --- Join codes: per browser, and per address with a far higher limit ----------
#
# A hall of phones often shares one address (the venue's Wi-Fi), so wrong codes
# counted per address alone locked everyone out after a handful of typos. Each
# browser gets a random id in a cookie and its wrong codes are counted under it:
# past JOIN_FAILURE_LIMIT only that browser waits. A script that drops its cookie
# counts against the address, whose limit (JOIN_ADDRESS_FAILURE_LIMIT) is far
# above what a hall's typos reach. Phones that have joined are never refused
# (discussions/join_views.py checks their participant cookie first).

BROWSER_COOKIE = "gf_b"
_BROWSER_ID = re.compile(r"[0-9a-f]{32}")


def browser_id(request) -> str:
    """This browser's id from its cookie, or a new one (join_refused's caller sets it)."""
    raw = request.COOKIES.get(BROWSER_COOKIE, "")
    return raw if _BROWSER_ID.fullmatch(raw) else secrets.token_hex(16)


def keep_browser_id(request, response, browser: str) -> None:
    if request.COOKIES.get(BROWSER_COOKIE) != browser:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=settings.JOIN_FAILURE_WINDOW,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )


def join_refused(request, browser: str) -> str | None:
    """ "browser" or "address" when that has had too many wrong codes, else None."""
    if is_limited("join-browser", request, settings.JOIN_FAILURE_LIMIT, browser):
        return "browser"
    if is_limited("join", request, settings.JOIN_ADDRESS_FAILURE_LIMIT):
        return "address"
    return None


def count_join_failure(request, browser: str) -> None:
    window = settings.JOIN_FAILURE_WINDOW
    count_failure("join-browser", request, window, browser)
    count_failure("join", request, window)

