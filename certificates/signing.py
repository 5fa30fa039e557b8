"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (W3C "Data
Integrity EdDSA Cryptosuites v1.0"): Ed25519 over SHA-256(JCS(proof options)) ||
SHA-256(JCS(document)), JCS being the JSON Canonicalization Scheme of RFC 8785;
keys as Multikeys (base58btc). Nothing here knows about certificates."""

import hashlib
import json
import math
from datetime import UTC, datetime
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"
# Multicodec prefix of an Ed25519 public key (varint of 0xed).
ED25519_PUB_PREFIX = b"\xed\x01"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: 2026-03-01T02:00:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- base58btc and Multikey -------------------------------------------------


def base58_encode(data: bytes) -> str:
    """Bitcoin's base58 (the 'z' multibase), leading zero bytes as '1's."""
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, digit = divmod(number, 58)
        encoded = BASE58_ALPHABET[digit] + encoded
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + encoded


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        digit = BASE58_ALPHABET.find(char)
        if digit < 0:
            raise ValueError(f"not a base58 character: {char!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey form: 'z' + base58btc(0xed01 + the 32 raw key bytes)."""
    raw = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return "z" + base58_encode(ED25519_PUB_PREFIX + raw)


def public_key_from_multibase(multibase: str) -> Ed25519PublicKey:
    if not multibase.startswith("z"):
        raise ValueError("only base58btc ('z') multibase keys are supported")
    decoded = base58_decode(multibase[1:])
    if len(decoded) != 34 or not decoded.startswith(ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


# --- JSON Canonicalization Scheme (RFC 8785) ----------------------------------


def canonical_json(value) -> bytes:
    """RFC 8785 canonical form, UTF-8 encoded: object members sorted by their
    names' UTF-16 code units, no whitespace, ECMAScript number and string forms."""
    return _jcs(value).encode("utf-8")


def _jcs(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return _jcs_number(value)
    if isinstance(value, str):
        # Python's escaping with ensure_ascii off is ECMAScript's JSON.stringify:
        # \" \\ \b \f \n \r \t, other controls as lowercase \u00xx, the rest as is.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object names must be strings")
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        members = (_jcs(name) + ":" + _jcs(value[name]) for name in names)
        return "{" + ",".join(members) + "}"
    raise TypeError(f"{type(value).__name__} is not a JSON type")


def _jcs_number(number: int | float) -> str:
    """ECMAScript Number::toString, which RFC 8785 prescribes for numbers."""
    if isinstance(number, int):
        if abs(number) > 2**53:
            raise ValueError("integer outside the IEEE 754 double's exact range")
        return str(number)
    if not math.isfinite(number):
        raise ValueError("NaN and Infinity are not JSON")
    if number == 0:
        return "0"  # -0 included
    sign = "-" if number < 0 else ""
    # repr is the shortest string that round-trips, as ECMAScript requires.
    _, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # the number is 0.<digits> × 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


# --- eddsa-jcs-2022 -----------------------------------------------------------


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    return (
        hashlib.sha256(canonical_json(proof_config)).digest()
        + hashlib.sha256(canonical_json(unsecured)).digest()
    )


def add_proof(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict:
    """The document with an eddsa-jcs-2022 DataIntegrityProof appended (vc-di-eddsa
    §3.3.1: the proof carries the document's @context, and the signature covers
    the proof options and the document, each canonicalised and hashed)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    signature = private_key.sign(_hash_data(unsecured, proof))
    return {
        **unsecured,
        "proof": {**proof, "proofValue": "z" + base58_encode(signature)},
    }


def verify_credential(credential: dict, public_key_multibase: str) -> bool:
    """Whether the credential's eddsa-jcs-2022 proof is a valid signature by this
    key over exactly this content (vc-di-eddsa §3.3.2). Needs no network: the
    caller brings the key, e.g. from the issuer profile."""
    try:
        proof = credential["proof"]
        if (
            proof.get("type") != "DataIntegrityProof"
            or proof.get("cryptosuite") != CRYPTOSUITE
            or proof.get("proofPurpose") != PROOF_PURPOSE
            or not str(proof.get("proofValue", "")).startswith("z")
        ):
            return False
        signature = base58_decode(proof["proofValue"][1:])
        options = {name: value for name, value in proof.items() if name != "proofValue"}
        unsecured = {
            name: value for name, value in credential.items() if name != "proof"
        }
        if "@context" in options:
            contexts = options["@context"]
            contexts = contexts if isinstance(contexts, list) else [contexts]
            document_contexts = unsecured.get("@context", [])
            if not isinstance(document_contexts, list):
                document_contexts = [document_contexts]
            if document_contexts[: len(contexts)] != contexts:
                return False
            unsecured["@context"] = options["@context"]
        elif "@context" in unsecured:
            options["@context"] = unsecured["@context"]
        public_key = public_key_from_multibase(public_key_multibase)
        public_key.verify(signature, _hash_data(unsecured, options))
    except (InvalidSignature, KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
