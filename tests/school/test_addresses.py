"""The client's address behind trusted proxies, shared by login throttling and the
public certificate lookups."""

from django.conf import settings as django_settings
from django.test import RequestFactory

import pytest

from school.addresses import client_ip


def _request(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # A client forging entries on the left cannot choose its address.
        ("1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Too few entries: the proxy did not add one; fall back to the peer.
        ("", "10.0.0.2"),
        ("not-an-address", "10.0.0.2"),
    ],
)
def test_behind_one_proxy_the_address_it_saw_counts(settings, forwarded, expected):
    settings.PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.2", forwarded)) == expected


def test_login_throttling_uses_the_same_address():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "school.addresses.client_ip"
