"""What an activation code looks like: eight characters a person can read off a
slip and type on a phone without confusing 0 with O or 1 with I, shown as two
groups of four (K7PX-3M9Q). About 40 bits: with at most ACTIVATION_MAX_FAILURES
guesses per code before it is voided, guessing one is hopeless."""

import secrets
import unicodedata

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
# Wrong codes typed for one account before its code is voided (a new one needed).
ACTIVATION_MAX_FAILURES = 10


def new_code() -> str:
    """A fresh random code, as stored (no separator)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(value: str) -> str:
    """A typed code as stored: full-width forms, spaces and hyphens forgiven, case
    ignored."""
    value = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(char for char in value if char.isalnum())


def display_code(code: str) -> str:
    """K7PX3M9Q → K7PX-3M9Q."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code
