"""discussions/ratelimit.py: which address failures are counted under."""

import pytest
from django.test import RequestFactory, override_settings

from discussions import ratelimit


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        # IPv6: the /64 a client usually holds, however the address is written.
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002:0000:0000:0000:0009", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        # An IPv4 client seen through an IPv6 socket is still that IPv4 address.
        ("::ffff:192.0.2.7", "192.0.2.7"),
        # Not an address (a misconfigured proxy): counted as given, as before.
        ("unknown", "unknown"),
        ("", ""),
    ],
)
def test_counted_address(address, counted):
    assert ratelimit.counted_address(address) == counted


def test_a_64_shares_one_cache_key_and_the_next_64_does_not():
    factory = RequestFactory()
    a = factory.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    b = factory.get("/", REMOTE_ADDR="2001:db8:1:2:abcd::99")
    c = factory.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert ratelimit._key("join", a, None) == ratelimit._key("join", b, None)
    assert ratelimit._key("join", a, None) != ratelimit._key("join", c, None)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_ipv6_address_is_grouped_too():
    factory = RequestFactory()
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:2::5, 2001:db8:7::1"
    )
    # One trusted proxy: its entry (the last) is the client it saw.
    assert ratelimit.client_address(request) == "2001:db8:7::1"
    assert ratelimit._key("login", request, None) == "rl:login:2001:db8:7::/64"
