"""Open Badges 3.0: every certificate as a signed ``OpenBadgeCredential``.

The credential follows 1EdTech Open Badges 3.0 in its VC Data Model 2.0 form
(context 3.0.3) and carries a Data Integrity proof with the ``eddsa-jcs-2022``
cryptosuite of W3C "Data Integrity EdDSA Cryptosuites v1.0": Ed25519 over
SHA-256(JCS(proof options)) || SHA-256(JCS(credential)), with JCS the JSON
Canonicalization Scheme of RFC 8785. Each school signs with its own key; the
public halves are published, as Multikeys, in the school's issuer profile, so a
credential verifies offline with nothing but that profile.

What a credential says comes from the certificate's frozen snapshot and its own
fields, never from the live course, template or user.
"""

import hashlib
import uuid
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)

from certificates.models import Certificate, SigningKey
from certificates.signing import (
    add_proof,
    public_key_multibase,
    timestamp,
    verify_credential,
)
from certificates.snapshots import PRINT_LANGUAGE
from school import encryption
from school.models import SchoolPage

__all__ = [
    "NoSigningKey",
    "active_signing_key",
    "credential_for",
    "ensure_signing_key",
    "issuer_profile",
    "rotate_signing_key",
    "verify_credential",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the 1EdTech terms used below (1EdTechRevocationList, the schema check).
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# Controlled identifiers (verificationMethod, assertionMethod, Multikey).
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)
# Stable ids for credentials and achievements: name-based UUIDs under this site.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gridschool:open-badges")


# --- keys -----------------------------------------------------------------------


def active_signing_key(school: SchoolPage) -> SigningKey | None:
    """The school's key in use, or None: a read, never a write (keys are made when
    a school is set up, at the first issue, or by `manage.py signing_keys`)."""
    return SigningKey.objects.filter(school=school, is_active=True).first()


def _new_key_row(school: SchoolPage) -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return SigningKey(
        school=school,
        private_key_encrypted=encryption.encrypt(pem),
        public_key_multibase=public_key_multibase(private_key.public_key()),
    )


def ensure_signing_key(school: SchoolPage) -> SigningKey:
    """The school's active Ed25519 key, made if it has none. Two callers at once
    make one key: the partial unique constraint rejects the second, which then
    reads the winner's."""
    key = active_signing_key(school)
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key_row(school)
            key.save()
            return key
    except IntegrityError:
        return SigningKey.objects.get(school=school, is_active=True)


@transaction.atomic(durable=True)
def rotate_signing_key(school: SchoolPage) -> SigningKey:
    """Retire the school's active key (it stays published, so what it signed still
    verifies) and make a new one for what is signed from now on."""
    SigningKey.objects.select_for_update().filter(school=school, is_active=True).update(
        is_active=False
    )
    key = _new_key_row(school)
    key.save()
    return key


def _private_key(key: SigningKey) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(
        encryption.decrypt(key.private_key_encrypted).encode("ascii"), password=None
    )
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"signing key {key.pk} is not an Ed25519 key")
    return loaded


# --- documents ----------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def issuer_profile_url(school_id: int) -> str:
    return _absolute(reverse("certificates:issuer_profile", args=[school_id]))


def verification_method_id(key: SigningKey) -> str:
    return f"{issuer_profile_url(key.school_id)}#key-{key.pk}"


def _school_home_url(school: SchoolPage) -> str:
    parts = school.get_url_parts()
    return _absolute(parts[2] if parts else "/")


def _end_of_day(day) -> datetime:
    # A certificate is valid through the whole of its last day, local time.
    return datetime.combine(
        day, time(23, 59, 59), tzinfo=timezone.get_default_timezone()
    )


def _hours(text: str) -> int | float:
    hours = Decimal(text)
    return int(hours) if hours == hours.to_integral_value() else float(hours)


def credential_id(certificate: Certificate) -> str:
    """A stable id, the same on every download: a name-based UUID of the number,
    which is unique and never reused."""
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'certificate:' + certificate.number)}"


def _achievement(certificate: Certificate, snapshot: dict) -> dict:
    course_id = (
        Certificate.objects.filter(pk=certificate.pk)
        .values_list("enrollment__training_class__course_id", flat=True)
        .get()
    )
    achievement_id = uuid.uuid5(
        ID_NAMESPACE, f"achievement:{certificate.school_id}:{course_id}"
    )
    hours = _hours(snapshot["study_hours"])
    return {
        "id": f"urn:uuid:{achievement_id}",
        "type": ["Achievement"],
        "name": snapshot["course_title"],
        "description": _("%(school)s%(tier)s课程「%(course)s」，共 %(hours)s 学时。")
        % {
            "school": snapshot["school_name"],
            "tier": snapshot["tier_label"],
            "course": snapshot["course_title"],
            "hours": snapshot["study_hours"],
        },
        "criteria": {
            "narrative": _(
                "完成课程规定的全部课时学习，通过课程测验，出勤率达到要求，"
                "经考核合格，准予结业。"
            )
        },
        "achievementType": "CertificateOfCompletion",
        "creditsAvailable": hours,
        "tag": [
            label
            for label in (snapshot["tier_label"], snapshot.get("class_level_label"))
            if label
        ],
    }


def _unsigned_credential(certificate: Certificate) -> dict:
    snapshot = certificate.snapshot
    holder_name = snapshot["holder_name"]
    profile_url = issuer_profile_url(certificate.school_id)
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _("「%(course)s」%(heading)s")
        % {"course": snapshot["course_title"], "heading": snapshot["heading"]},
        "description": _("%(school)s颁发的%(heading)s，证书编号 %(number)s。")
        % {
            "school": snapshot["school_name"],
            "heading": snapshot["heading"],
            "number": snapshot["number"],
        },
        "issuer": {
            "id": profile_url,
            "type": ["Profile"],
            "name": snapshot["school_name"],
            "url": _school_home_url(certificate.school),
        },
        "validFrom": timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The holder downloads this to show it: it names them as the PDF does.
            "name": holder_name,
            # The recipient identity the spec requires (no DID for trainees):
            # a salted hash, so a verifier told the name can check it.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": "sha256$"
                    + hashlib.sha256(
                        (holder_name + snapshot["number"]).encode("utf-8")
                    ).hexdigest(),
                    "identityType": "name",
                    "salt": snapshot["number"],
                }
            ],
            "achievement": _achievement(certificate, snapshot),
            "creditsEarned": _hours(snapshot["study_hours"]),
            "licenseNumber": snapshot["number"],
            "term": _term(snapshot),
        },
        # The public verification page is the canonical status (valid, expired,
        # revoked); asked for JSON it answers with revocation_list_for().
        "credentialStatus": {
            "id": certificate.verification_url,
            "type": "1EdTechRevocationList",
        },
        "credentialSchema": [
            {"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}
        ],
    }
    if certificate.valid_until is not None:
        credential["validUntil"] = timestamp(_end_of_day(certificate.valid_until))
    return credential


class NoSigningKey(Exception):
    """The school has no signing key yet; nothing can be signed until it has."""


def credential_for(certificate: Certificate) -> dict:
    """The certificate as an Open Badges 3.0 OpenBadgeCredential (alias
    AchievementCredential), signed now with its school's active key. Revoked
    certificates are signed too: their status URL says they are revoked. Reads
    only: raises NoSigningKey if the school has no key."""
    with translation.override(PRINT_LANGUAGE):
        document = _unsigned_credential(certificate)
    key = active_signing_key(certificate.school)
    if key is None:
        raise NoSigningKey(certificate.school_id)
    return add_proof(
        document,
        private_key=_private_key(key),
        verification_method=verification_method_id(key),
        created=timezone.now(),
    )


def issuer_profile(school: SchoolPage) -> dict:
    """The school's public issuer Profile with every key it has signed with, the
    retired ones included, so that old credentials still verify. Publishes keys;
    never makes one."""
    profile_url = issuer_profile_url(school.pk)
    keys = SigningKey.objects.filter(school=school).order_by("created_at", "pk")
    methods = [
        {
            "id": verification_method_id(key),
            "type": "Multikey",
            "controller": profile_url,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [CID_CONTEXT, OB_CONTEXT],
        "id": profile_url,
        "type": ["Profile"],
        "name": school.display_name or school.title,
        "url": _school_home_url(school),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def revocation_list_for(certificate: Certificate) -> dict:
    """The 1EdTech Revocation List (vcrl v1p0) behind the credential's status URL:
    one list per certificate, naming its credential when it is revoked."""
    revoked = certificate.status == Certificate.Status.REVOKED
    return {
        "id": certificate.verification_url,
        "issuer": issuer_profile_url(certificate.school_id),
        "revokedCredentials": (
            [{"id": credential_id(certificate), "revoked": True}] if revoked else []
        ),
    }


def _term(snapshot: dict) -> str:
    """The class and its study period; a one-day period as one date."""
    if snapshot["starts_on_label"] == snapshot["ends_on_label"]:
        return _("%(class_label)s（%(starts)s）") % {
            "class_label": snapshot["class_label"],
            "starts": snapshot["starts_on_label"],
        }
    return _("%(class_label)s（%(starts)s至%(ends)s）") % {
        "class_label": snapshot["class_label"],
        "starts": snapshot["starts_on_label"],
        "ends": snapshot["ends_on_label"],
    }
