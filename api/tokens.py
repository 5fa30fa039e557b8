"""Issuing, reading and revoking the mobile app's access tokens (ApiToken).

The secret is `secrets.token_urlsafe(32)`, shown to the device once; only its
SHA-256 is stored, so a copy of the database gives no one a working token. A
token is looked up by that hash, and answers only while it is not revoked and
its user is active.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from school.models import User

PREFIX_LENGTH = 8


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic(durable=True)
def issue_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user's device: the row and the secret (returned here
    and nowhere else)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:60],
        key_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
    )
    return token, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token of an active user this secret belongs to, else None. Reads
    only: where a token was last used is recorded by `note_use`, on changes."""
    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.live()
        .select_related("user")
        .filter(key_hash=hash_token(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    """Record that the token made a change now. Only POST and DELETE call it, so
    that no GET writes anything (DESIGN: no GET changes anything)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


@transaction.atomic(durable=True)
def revoke_token(token: ApiToken) -> ApiToken:
    """The token stops working at once; the row stays, with the time. Revoking
    twice changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return token
