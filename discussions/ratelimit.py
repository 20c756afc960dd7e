"""Counting failed join attempts and logins per client address (an IPv6 /64), per
browser or per username, in Django's cache.

With a shared cache (Redis) the count holds across every app server; with the
default local-memory cache it is per process, which still slows a guesser down
on a single machine.
"""

import hashlib
import ipaddress
import math
import re
import secrets
import time

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


# --- Logins: growing delays per address and username ---------------------------
#
# Counting wrong passwords per username alone let anyone who knew a facilitator's
# username keep them out of their own workshop from anywhere. Now a username's
# failures count only for the address they came from: after LOGIN_FREE_FAILURES,
# each next try from there waits 2, 4, 8 … seconds (at most LOGIN_MAX_DELAY) after
# the last, answered 429 with Retry-After rather than by sleeping in a request
# thread. The owner at another address is never slowed.


def _pair_keys(request, username: str) -> tuple[str, str]:
    pair = f"{counted_address(client_address(request))}\0{username}"
    digest = hashlib.sha256(pair.encode()).hexdigest()
    return f"rl:login-pair:{digest}", f"rl:login-next:{digest}"


def login_delay(failures: int) -> int:
    """Seconds to wait after this many failures for one address and username."""
    free = settings.LOGIN_FREE_FAILURES
    if failures < free:
        return 0
    return min(2 ** min(failures - free + 1, 32), settings.LOGIN_MAX_DELAY)


def login_wait(request, username: str, now: float | None = None) -> int:
    """Seconds before this address may try this username again; 0 lets this try
    through, and holds the next ones back until its outcome is counted."""
    count_key, next_key = _pair_keys(request, username)
    delay = login_delay(cache.get(count_key) or 0)
    if not delay:
        return 0
    now = time.time() if now is None else now
    # add() is atomic: of tries sent at once, one goes through.
    if cache.add(next_key, now + delay, timeout=delay):
        return 0
    until = cache.get(next_key)
    return max(1, math.ceil(until - now)) if until else 1


def count_login_failure(request, username: str, now: float | None = None) -> None:
    count_key, next_key = _pair_keys(request, username)
    window = settings.LOGIN_PAIR_WINDOW
    cache.add(count_key, 0, timeout=window)
    try:
        failures = cache.incr(count_key)
    except ValueError:  # it ran out in between
        cache.set(count_key, 1, timeout=window)
        failures = 1
    cache.touch(count_key, window)
    if delay := login_delay(failures):
        now = time.time() if now is None else now
        cache.set(next_key, now + delay, timeout=delay)


def forget_login_failures(request, username: str) -> None:
    cache.delete_many(_pair_keys(request, username))
