"""Open Badges 3.0: each certificate as a signed OpenBadgeCredential, checked
against the spec's required fields and the W3C eddsa-jcs-2022 test vector, and
verified offline with the key the school's issuer profile publishes."""

import copy
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.urls import resolve

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import badges, services, signing
from certificates.models import Certificate, SigningKey
from school import encryption
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db

# Required properties, from 1EdTech's published JSON schema for AchievementCredential
# ($id https://purl.imsglobal.org/spec/ob/v3p0/schema/json/
# ob_v3p0_achievementcredential_schema.json, as held in the 1EdTech
# openbadges-specification repository, docs/schema/achievementcredential.json).
# That file is the VC Data Model 1.1 form; OB 3.0.3 moves to VC Data Model 2.0,
# where "issuanceDate" becomes "validFrom" (the spec's note under "Verify a
# Credential VC-JWT Signature"), hence validFrom below.
REQUIRED = {
    "AchievementCredential": [
        "@context",
        "id",
        "type",
        "name",
        "credentialSubject",
        "issuer",
        "validFrom",
    ],
    "Profile": ["id", "type"],
    "AchievementSubject": ["type", "achievement"],
    "Achievement": ["id", "type", "criteria", "description", "name"],
    "IdentityObject": ["type", "hashed", "identityHash", "identityType"],
    "CredentialStatus": ["id", "type"],
    "CredentialSchema": ["id", "type"],
    "Proof": ["type"],
}


def _missing(obj: dict, kind: str) -> list[str]:
    return [name for name in REQUIRED[kind] if name not in obj]


def _key_from_profile(profile: dict, verification_method: str) -> str:
    """What an offline verifier does: find the proof's key in the issuer profile."""
    (method,) = [
        m for m in profile["verificationMethod"] if m["id"] == verification_method
    ]
    assert method["type"] == "Multikey"
    assert method["controller"] == profile["id"]
    assert verification_method in profile["assertionMethod"]
    return method["publicKeyMultibase"]


@pytest.fixture
def expiring_certificate(other_enrollment, certificate_template):
    certificate_template.validity_months = 24
    certificate_template.save()
    return services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )


def test_the_credential_has_every_field_the_ob3_schema_requires(certificate):
    credential = badges.credential_for(certificate)
    subject = credential["credentialSubject"]

    assert _missing(credential, "AchievementCredential") == []
    assert _missing(credential["issuer"], "Profile") == []
    assert _missing(subject, "AchievementSubject") == []
    assert _missing(subject["achievement"], "Achievement") == []
    assert _missing(credential["credentialStatus"], "CredentialStatus") == []
    assert _missing(credential["proof"], "Proof") == []
    for schema in credential["credentialSchema"]:
        assert _missing(schema, "CredentialSchema") == []
    # The subject has no `id` (trainees have no DID), so the spec requires at
    # least one `identifier`.
    assert "id" not in subject
    assert subject["identifier"]
    for identity in subject["identifier"]:
        assert _missing(identity, "IdentityObject") == []


def test_the_credential_has_the_open_badges_contexts_and_types(certificate):
    credential = badges.credential_for(certificate)

    assert credential["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["credentialSubject"]["type"] == ["AchievementSubject"]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert credential["id"].startswith("urn:uuid:")
    assert achievement["id"].startswith("urn:uuid:")
    assert credential["proof"]["type"] == "DataIntegrityProof"
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["proof"]["proofPurpose"] == "assertionMethod"


def test_the_credential_says_what_the_certificate_says(certificate, grid_school):
    credential = badges.credential_for(certificate)
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]

    assert credential["issuer"]["id"] == (
        f"{settings.SITE_URL}/verify/issuers/{grid_school.pk}/"
    )
    assert credential["issuer"]["name"] == "测试区网格学校"
    assert subject["name"] == "张三"
    assert subject["licenseNumber"] == certificate.number
    assert achievement["name"] == "公益理念"
    assert achievement["creditsAvailable"] == subject["creditsEarned"]
    assert certificate.number in credential["description"]
    assert achievement["criteria"]["narrative"]


def test_valid_from_is_the_moment_of_issue_with_a_timezone(certificate):
    credential = badges.credential_for(certificate)

    valid_from = datetime.fromisoformat(credential["validFrom"])
    assert valid_from.tzinfo is not None
    assert valid_from == certificate.issued_at.replace(microsecond=0)
    assert "validUntil" not in credential  # the template has no validity period


def test_valid_until_is_the_end_of_the_certificates_last_valid_day(
    expiring_certificate,
):
    credential = badges.credential_for(expiring_certificate)

    last_day = expiring_certificate.valid_until
    # 23:59:59 in Beijing (UTC+8) is 15:59:59 UTC the same day.
    assert credential["validUntil"] == f"{last_day.isoformat()}T15:59:59Z"
    assert datetime.fromisoformat(credential["validUntil"]) > datetime.fromisoformat(
        credential["validFrom"]
    )


def test_the_signature_verifies_with_the_key_from_the_issuer_profile(
    certificate, grid_school
):
    # As downloaded: through JSON text and back.
    credential = json.loads(json.dumps(badges.credential_for(certificate)))
    profile = json.loads(json.dumps(badges.issuer_profile(grid_school)))

    assert profile["id"] == credential["issuer"]["id"]
    key = _key_from_profile(profile, credential["proof"]["verificationMethod"])
    assert key.startswith("z6Mk")  # the Multikey prefix of every Ed25519 key
    assert badges.verify_credential(credential, key)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda c: c.update(name="「伪造课程」结业证书"), id="name"),
        pytest.param(
            lambda c: c.update(validUntil="2099-12-31T15:59:59Z"), id="validUntil"
        ),
        pytest.param(lambda c: c.pop("validUntil"), id="validUntil removed"),
        pytest.param(
            lambda c: c["credentialSubject"].update(name="王五"), id="holder name"
        ),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"].update(creditsAvailable=99),
            id="study hours",
        ),
        pytest.param(lambda c: c.update(evidence=[]), id="added field"),
        pytest.param(
            lambda c: c["proof"].update(created="2020-01-01T00:00:00Z"),
            id="proof created",
        ),
        pytest.param(
            lambda c: c["proof"].update(proofPurpose="authentication"),
            id="proof purpose",
        ),
    ],
)
def test_any_change_to_the_credential_makes_verification_fail(
    expiring_certificate, tamper
):
    credential = badges.credential_for(expiring_certificate)
    key = badges.ensure_signing_key(expiring_certificate.school).public_key_multibase
    assert badges.verify_credential(credential, key)

    forged = copy.deepcopy(credential)
    tamper(forged)

    assert forged != credential
    assert not badges.verify_credential(forged, key)


def test_a_credential_does_not_verify_with_another_schools_key(
    certificate, volunteer_academy
):
    credential = badges.credential_for(certificate)
    other_key = badges.ensure_signing_key(volunteer_academy)

    assert other_key.school_id != certificate.school_id
    assert not badges.verify_credential(credential, other_key.public_key_multibase)


def test_malformed_credentials_do_not_verify(certificate):
    credential = badges.credential_for(certificate)
    key = badges.ensure_signing_key(certificate.school).public_key_multibase

    without_proof = {k: v for k, v in credential.items() if k != "proof"}
    assert not badges.verify_credential(without_proof, key)
    for bad_value in ["", "z", "zz0OIl", "u" + credential["proof"]["proofValue"][1:]]:
        forged = copy.deepcopy(credential)
        forged["proof"]["proofValue"] = bad_value
        assert not badges.verify_credential(forged, key)
    assert not badges.verify_credential(credential, "z6MkNotAKey")


def test_a_revoked_certificates_credential_is_signed_and_its_status_shows_revoked(
    certificate, school_admin, client
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    certificate.refresh_from_db()

    credential = badges.credential_for(certificate)
    key = badges.ensure_signing_key(certificate.school).public_key_multibase
    assert badges.verify_credential(credential, key)

    status = credential["credentialStatus"]
    assert status == {
        "id": certificate.verification_url,
        "type": "1EdTechRevocationList",
    }
    match = resolve(urlsplit(status["id"]).path)
    assert match.view_name == "certificates:verify"
    assert match.kwargs == {"code": certificate.code}
    page = client.get(urlsplit(status["id"]).path)
    assert page.status_code == 200
    assert "已撤销" in page.content.decode()
    assert badges.revocation_list_for(certificate)["revokedCredentials"] == [
        {"id": credential["id"], "revoked": True}
    ]


def test_a_valid_certificates_revocation_list_is_empty(certificate):
    revocation_list = badges.revocation_list_for(certificate)

    assert revocation_list["id"] == certificate.verification_url
    assert revocation_list["revokedCredentials"] == []


def test_the_credential_is_built_from_the_snapshot_not_the_live_records(
    certificate, trainee, course
):
    before = badges.credential_for(certificate)
    trainee.real_name = "张三丰"
    trainee.save()
    course.title = "改过名的课程"
    course.save()

    after = badges.credential_for(Certificate.objects.get(pk=certificate.pk))

    assert after["credentialSubject"]["name"] == "张三"
    assert after["credentialSubject"]["achievement"]["name"] == "公益理念"
    assert (
        after["credentialSubject"]["identifier"]
        == before["credentialSubject"]["identifier"]
    )
    assert after["id"] == before["id"]


def test_half_hours_of_study_are_carried_as_a_number(
    enrollment, certificate_template, course
):
    course.study_hours = Decimal("12.5")
    course.save()
    certificate = services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )

    credential = badges.credential_for(certificate)
    key = badges.ensure_signing_key(certificate.school).public_key_multibase

    assert credential["credentialSubject"]["achievement"]["creditsAvailable"] == 12.5
    assert badges.verify_credential(json.loads(json.dumps(credential)), key)


def test_the_issuer_profile_publishes_keys_but_never_makes_one(grid_school):
    profile = badges.issuer_profile(grid_school)

    assert profile["type"] == ["Profile"]
    assert profile["name"] == "测试区网格学校"
    assert profile["verificationMethod"] == []
    assert not SigningKey.objects.exists()


def test_the_private_key_is_stored_encrypted_and_signs_after_decryption(grid_school):
    key = badges.ensure_signing_key(grid_school)

    stored = SigningKey.objects.values_list("private_key_encrypted", flat=True).get()
    assert "PRIVATE KEY" not in stored
    pem = encryption.decrypt(stored)
    private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private_key, Ed25519PrivateKey)
    assert signing.public_key_multibase(private_key.public_key()) == (
        key.public_key_multibase
    )


def test_rotating_keeps_the_old_key_published_and_signs_with_the_new(
    certificate, grid_school
):
    first = badges.ensure_signing_key(grid_school)
    assert badges.ensure_signing_key(grid_school) == first  # one key per school
    old_credential = badges.credential_for(certificate)

    second = badges.rotate_signing_key(grid_school)
    new_credential = badges.credential_for(certificate)

    profile = badges.issuer_profile(grid_school)
    assert {m["publicKeyMultibase"] for m in profile["verificationMethod"]} == {
        first.public_key_multibase,
        second.public_key_multibase,
    }
    for credential in (old_credential, new_credential):
        key = _key_from_profile(profile, credential["proof"]["verificationMethod"])
        assert badges.verify_credential(credential, key)
    assert new_credential["proof"]["verificationMethod"].endswith(f"#key-{second.pk}")


def test_a_school_without_a_key_signs_nothing_and_makes_none(certificate):
    SigningKey.objects.all().delete()

    with pytest.raises(badges.NoSigningKey):
        badges.credential_for(certificate)

    assert not SigningKey.objects.exists()


def test_issuing_a_certificate_gives_its_school_a_key(enrollment, certificate_template):
    SigningKey.objects.all().delete()

    issued = services.issue_certificate(enrollment, template=certificate_template)

    assert SigningKey.objects.filter(school=issued.school, is_active=True).exists()


def test_keys_survive_a_rotation_of_the_encryption_key(grid_school, settings):  # noqa: F811
    key = badges.ensure_signing_key(grid_school)
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["new-encryption-key", settings.SECRET_KEY]

    call_command("rotate_encryption_keys", stdout=io.StringIO())
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["new-encryption-key"]

    key.refresh_from_db()
    pem = encryption.decrypt(key.private_key_encrypted)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_make_one_active_key_per_school(grid_school):
    SigningKey.objects.filter(school=grid_school).delete()
    outcomes = run_concurrently(badges.ensure_signing_key, 4, grid_school)

    assert all(isinstance(o, SigningKey) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert SigningKey.objects.filter(school=grid_school, is_active=True).count() == 1
    assert SigningKey.objects.count() == 1


# --- the cryptosuite against published vectors -----------------------------------

# W3C "Data Integrity EdDSA Cryptosuites v1.0", test vectors in w3c/vc-di-eddsa:
# TestVectors/keyPair.json and TestVectors/eddsa-jcs-2022/signedJCS.json.
W3C_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
]
W3C_UNSIGNED = {
    "@context": W3C_CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:abcdefgh",
        "alumniOf": "The School of Examples",
    },
}
W3C_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": f"https://vc.example/issuers/5678#{W3C_PUBLIC_KEY}",
    "proofPurpose": "assertionMethod",
    "@context": W3C_CONTEXT,
    "proofValue": (
        "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBE"
        "sddF9LsVogtuTsijJKh4"
    ),
}


def test_the_w3c_eddsa_jcs_2022_vector_verifies():
    assert badges.verify_credential(
        {**W3C_UNSIGNED, "proof": W3C_PROOF}, W3C_PUBLIC_KEY
    )


def test_signing_the_w3c_vector_reproduces_its_proof():
    decoded = base58.b58decode(W3C_PRIVATE_KEY[1:])
    assert decoded[:2] == b"\x80\x26"  # multicodec ed25519-priv
    private_key = Ed25519PrivateKey.from_private_bytes(decoded[2:])

    signed = signing.add_proof(
        W3C_UNSIGNED,
        private_key=private_key,
        verification_method=W3C_PROOF["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )

    assert signing.public_key_multibase(private_key.public_key()) == W3C_PUBLIC_KEY
    assert signed["proof"] == W3C_PROOF


def test_a_multikey_gives_back_the_key_it_was_made_from():
    public_key = Ed25519PrivateKey.generate().public_key()
    multikey = signing.public_key_multibase(public_key)

    assert multikey.startswith("z6Mk")
    assert signing.public_key_from_multibase(multikey) == public_key


@pytest.mark.parametrize(
    "multikey",
    [
        pytest.param("u" + W3C_PUBLIC_KEY[1:], id="not base58btc"),
        pytest.param("z0OIl", id="not base58"),
        pytest.param(W3C_PRIVATE_KEY, id="a private key"),
        pytest.param(W3C_PUBLIC_KEY[:-2], id="too short"),
    ],
)
def test_what_is_not_an_ed25519_multikey_is_refused(multikey):
    with pytest.raises(ValueError):
        signing.public_key_from_multibase(multikey)


def test_the_credentials_term_is_the_study_period_or_its_one_day(certificate):
    snapshot = certificate.snapshot
    assert badges.credential_for(certificate)["credentialSubject"]["term"] == (
        f"{snapshot['class_label']}"
        f"（{snapshot['starts_on_label']}至{snapshot['ends_on_label']}）"
    )
    one_day = copy.deepcopy(snapshot)
    one_day["starts_on_label"] = one_day["ends_on_label"]
    certificate.snapshot = one_day
    assert badges.credential_for(certificate)["credentialSubject"]["term"] == (
        f"{snapshot['class_label']}（{snapshot['ends_on_label']}）"
    )
