"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (W3C "Data
Integrity EdDSA Cryptosuites v1.0"): Ed25519 over SHA-256(JCS(proof options)) ||
SHA-256(JCS(document)), JCS being the JSON Canonicalization Scheme of RFC 8785
(the rfc8785 package); keys as Multikeys (base58btc, the base58 package).
Nothing here knows about certificates."""

import hashlib
from datetime import UTC, datetime

import base58
import rfc8785
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


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: 2026-03-01T02:00:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- base58btc and Multikey -------------------------------------------------


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey form: 'z' + base58btc(0xed01 + the 32 raw key bytes)."""
    raw = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode("ascii")


def public_key_from_multibase(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey; ValueError for anything else."""
    if not multibase.startswith("z"):
        raise ValueError("only base58btc ('z') multibase keys are supported")
    decoded = base58.b58decode(multibase[1:])
    if len(decoded) != 34 or not decoded.startswith(ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


# --- eddsa-jcs-2022 -----------------------------------------------------------


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    return (
        hashlib.sha256(rfc8785.dumps(proof_config)).digest()
        + hashlib.sha256(rfc8785.dumps(unsecured)).digest()
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
        "proof": {
            **proof,
            "proofValue": "z" + base58.b58encode(signature).decode("ascii"),
        },
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
        signature = base58.b58decode(proof["proofValue"][1:])
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
