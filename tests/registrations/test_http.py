"""Who the client is: REMOTE_ADDR, or the address our trusted proxies saw — never what a client claims."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from swap.http import UntrustedForwardedFor, client_ip
from swap.ratelimit import Limiter, Rate, client_bucket, parse_rate


def request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


def test_with_one_trusted_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client claimed 6.6.6.6; our proxy appended the address it really saw.
    assert client_ip(request("10.0.0.1", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"


def test_with_two_trusted_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("10.0.0.2", "6.6.6.6,203.0.113.5, 10.0.0.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.5", "6.6.6.6, not-an-ip, 10.0.0.1"])
def test_a_short_or_garbled_header_is_refused(settings, forwarded):
    """It did not come through every trusted proxy: no guess, Django answers 400 (issue 17, item 3)."""
    settings.TRUSTED_PROXY_COUNT = 2
    with pytest.raises(UntrustedForwardedFor, match="TRUSTED_PROXY_COUNT is 2"):
        client_ip(request("10.0.0.2", forwarded))


@pytest.mark.parametrize(
    ("prefix", "ip", "bucket"),
    [
        (64, "203.0.113.9", "203.0.113.9"),
        (64, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        (56, "2001:db8:1:2ff:1::1", "2001:db8:1:200::/56"),
        (64, "::ffff:198.51.100.20", "198.51.100.20"),
        (64, "not an address", "not an address"),
    ],
)
def test_rate_limits_count_ipv6_clients_by_network(settings, prefix, ip, bucket):
    settings.RATE_LIMIT_IPV6_PREFIX = prefix
    assert client_bucket(ip) == bucket


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.1", "2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.parametrize(
    ("text", "rate"),
    [("20/hour", Rate(20, 3600)), ("5/minutes", Rate(5, 60)), ("100/day", Rate(100, 86400)), ("off", None), ("", None)],
)
def test_rates_parse(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["20", "x/hour", "20/fortnight", "-1/hour"])
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError, match="not <count>"):
        parse_rate(text)


def test_a_limiter_counts_failures_per_subject_and_window():
    limiter = Limiter("ip", Rate(2, 60))
    now = 1_000_000_040.0  # 20 s into a 60 s window starting at 1_000_000_020
    assert limiter.retry_after("a", now) is None
    limiter.count_failure("a", now)
    limiter.count_failure("a", now)
    assert limiter.retry_after("a", now) == 40
    assert limiter.retry_after("b", now) is None
    assert limiter.retry_after("a", now + 40) is None  # next window
