"""The client's address, for throttling (login lock-outs, public lookups)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless PROXY_COUNT trusted proxies stand in front: then the
    address the outermost of them saw, counted from the right of X-Forwarded-For
    (entries further left are whatever the client chose to send)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")
