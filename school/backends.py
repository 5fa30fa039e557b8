"""Login limits beyond django-axes' per phone-and-address lock-out.

Axes locks one phone number from one address after AXES_FAILURE_LIMIT failures.
That leaves two attacks open: many addresses against one account, and one address
trying a few passwords on many accounts. Two more limits close them, counted
exactly across web processes (school.throttling) and alike for phone numbers
that exist and ones that do not, so that neither limit tells which are accounts:

- per phone number, from any address: LOGIN_ACCOUNT_FAILURE_LIMIT (higher than
  axes' limit, since anyone can spend it: it caps a distributed guess at that many
  tries per cool-off, at the price of locking the owner out for that long);
- per client address, over any phone numbers: LOGIN_ADDRESS_FAILURE_LIMIT.

A refused attempt is answered with axes' lock-out page (the Chinese message).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from school import throttling
from school.addresses import client_ip
from school.models import normalise_phone


def _window() -> int:
    return max(60, int(settings.AXES_COOLOFF_TIME * 3600))


def _keys(phone: str, address: str) -> tuple[str, str]:
    return f"login-phone:{normalise_phone(phone)}", f"login-address:{address}"


def login_locked(phone: str, address: str) -> bool:
    """Whether the phone or the address has used up its failures this window."""
    phone_key, address_key = _keys(phone, address)
    failures = throttling.counts([phone_key, address_key], window=_window())
    return (
        failures[phone_key] >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT
        or failures[address_key] >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    )


def record_login_failure(sender, credentials: dict, request=None, **kwargs) -> None:
    """Receiver of user_login_failed: count the failure for the phone and the
    address (a refused attempt counts too, so hammering keeps the lock on)."""
    phone = str((credentials or {}).get("username") or "")
    if request is None or not phone:
        return
    phone_key, address_key = _keys(phone, client_ip(request))
    throttling.hit(phone_key, window=_window())
    throttling.hit(address_key, window=_window())


def forget_login_failures(sender, request, user, **kwargs) -> None:
    """Receiver of user_logged_in: the owner got in, the account's count starts
    again (the address's does not, or one's own account would reset a spray)."""
    if request is None:
        return
    phone_key, _address_key = _keys(user.get_username(), client_ip(request))
    throttling.clear(phone_key, window=_window())


class LoginLimitsBackend:
    """First in AUTHENTICATION_BACKENDS: refuses, before any password is checked,
    a phone or an address over its limit. Authenticates nobody itself, and has no
    get_user, so that no session is ever tied to it (force_login and Django's
    session look-up pick the first backend that has one)."""

    def authenticate(self, request: HttpRequest | None, username=None, **kwargs):
        if request is None or not username:
            return None
        if login_locked(str(username), client_ip(request)):
            # AxesMiddleware turns the response into the lock-out page.
            request.axes_locked_out = True
            raise PermissionDenied
        return None
