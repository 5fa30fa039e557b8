"""Credentials: certificate templates, issued certificates (frozen snapshots with a
number and a verification code), their events, bulk jobs and the schools' keys."""

from .batches import CertificateBatch
from .certificates import Certificate, CertificateEvent, NumberSequence
from .keys import SigningKey
from .templates import CertificateTemplate, Layout

__all__ = [
    "Certificate",
    "CertificateBatch",
    "CertificateEvent",
    "CertificateTemplate",
    "Layout",
    "NumberSequence",
    "SigningKey",
]
