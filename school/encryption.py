"""Secrets at rest: what the database must keep but must not show to whoever reads
it (the schools' signing keys, the activation codes of imported accounts).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under keys taken from
the environment: GRIDSCHOOL_ENCRYPTION_KEYS, comma-separated, the first encrypts
and every one decrypts, so a key is rotated by putting a new one first and running
`manage.py rotate_encryption_keys` (which re-encrypts every stored secret under
it) before the old one is dropped. Without that variable the key is derived from
SECRET_KEY: fine on a developer's machine or the single box of `make run`, and
`check --deploy` warns about it in production (school.W001), where a database dump
and the settings file are more likely to travel separately.
"""

import base64
import hashlib
from functools import lru_cache

from django.conf import settings
from django.core import checks

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


def _fernet_key(secret: str) -> bytes:
    """A Fernet key from any secret string: a valid Fernet key is used as it is,
    anything else is stretched by SHA-256 (the secrets are long and random)."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except (ValueError, TypeError):
        pass
    digest = hashlib.sha256(f"gridschool-encryption:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> list[str]:
    """The encryption secrets in force, the one that encrypts first."""
    keys = list(getattr(settings, "GRIDSCHOOL_ENCRYPTION_KEYS", []) or [])
    return keys or [settings.SECRET_KEY]


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _current() -> MultiFernet:
    return _cipher(tuple(configured_keys()))


def encrypt(text: str) -> str:
    """`text` encrypted under the first configured key, as ASCII."""
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by `encrypt` under any configured key; raises
    InvalidToken when no configured key opens it."""
    return _current().decrypt(token.encode("ascii")).decode("utf-8")


# Fields holding `encrypt` tokens, as ("app_label.Model", "field"): each app names
# its own in its AppConfig.ready(), so that rotate_encryption_keys finds them all
# without this app importing the ones above it.
_ENCRYPTED_FIELDS: set[tuple[str, str]] = set()


def register_encrypted_field(model_label: str, field: str) -> None:
    """Name a field that holds tokens made by `encrypt`."""
    _ENCRYPTED_FIELDS.add((model_label, field))


def encrypted_fields() -> list[tuple[str, str]]:
    return sorted(_ENCRYPTED_FIELDS)


def rotate(token: str) -> str:
    """The same text encrypted under the first configured key."""
    return _current().rotate(token.encode("ascii")).decode("ascii")


@checks.register(checks.Tags.security, deploy=True)
def encryption_keys_check(app_configs, **kwargs) -> list[checks.Warning]:
    """check --deploy: production keeps its encryption keys apart from SECRET_KEY."""
    if getattr(settings, "GRIDSCHOOL_ENCRYPTION_KEYS", None):
        return []
    return [
        checks.Warning(
            "GRIDSCHOOL_ENCRYPTION_KEYS is not set: secrets at rest (signing keys, "
            "activation codes) are encrypted under a key derived from SECRET_KEY.",
            hint=(
                "Set GRIDSCHOOL_ENCRYPTION_KEYS to a long random string (python -c "
                "'import secrets; print(secrets.token_urlsafe(32))') and run "
                "`manage.py rotate_encryption_keys`, keeping the SECRET_KEY-derived "
                "key second until that has run (see README)."
            ),
            id="school.W001",
        )
    ]
