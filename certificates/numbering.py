"""Certificate numbers: ``<school prefix>-<year>-<series code>-<serial>``, for
example ``WGXX-2026-JC-000123``. A completion's series is its course's tier; other
document kinds have a series of their own (``ZYXY-2026-FW-000007`` for a
service-record proof). Serials count per prefix, year and series, only upwards."""

from django.db import IntegrityError, transaction
from django.db.models import F

from certificates.models import NumberSequence
from school.models import SchoolPage

TIER_CODES = {"basic": "JC", "specialist": "ZX", "leadership": "LD"}
# Series of the document kinds other than completions (Certificate.Kind values):
# 服务 FW for service-record proofs, 聘书 PS for letters of appointment.
KIND_CODES = {"service_proof": "FW", "appointment": "PS"}
SERIES_CODES = {**TIER_CODES, **KIND_CODES}
SERIAL_DIGITS = 6


def format_number(prefix: str, year: int, tier: str, serial: int) -> str:
    return f"{prefix}-{year}-{SERIES_CODES[tier]}-{serial:0{SERIAL_DIGITS}d}"


def allocate_number(school: SchoolPage, *, year: int, tier: str) -> str:
    """The next number of a school's year and series (`tier`: a course tier or a
    document kind, see SERIES_CODES). Call it inside the transaction
    that stores the certificate: the UPDATE holds the sequence row until commit, so
    concurrent issuers queue on it, and a rolled-back issue gives its serial back
    unprinted."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside the issuing transaction")
    prefix = school.certificate_prefix
    sequence = NumberSequence.objects.filter(prefix=prefix, year=year, tier=tier)
    if not sequence.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                NumberSequence.objects.create(
                    prefix=prefix, year=year, tier=tier, last=1
                )
        except IntegrityError:
            # Another issuer created the row first; its transaction has committed.
            sequence.update(last=F("last") + 1)
    serial = sequence.values_list("last", flat=True).get()
    return format_number(prefix, year, tier, serial)
