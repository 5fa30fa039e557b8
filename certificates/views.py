"""Certificates seen from outside the admin: the public verification page and the
lookup by number and name (no login, rate-limited per client address), and 我的证书
with the PDF and the Open Badges credential (the holder and administrators only).

Every view here is a read and writes nothing but the look-up counters of the
rate limit and the visitor's own session. All are GET (or HEAD) except the lookup
form, a POST so that the holder's name is in no URL, log or browser history; a
match keeps the typed name in that visitor's session for ten minutes, and the
verification page shows it to them in full instead of masked. A PDF is rendered
by the worker when the certificate is issued (a sweep renders any that a failed
job left behind); until then its download says it is being prepared. A credential is signed with the key
the school was given when it was set up; a GET never makes one.
"""

import ipaddress
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from certificates import badges, selectors, services
from certificates.forms import VerificationLookupForm
from certificates.models import Certificate
from certificates.permissions import (
    get_certificate_by_code,
    get_certificate_for_download,
)
from school import throttling
from school.addresses import client_ip
from school.models import SchoolPage

Standing = Certificate.Standing

# --- the holder's name, as the public sees it ------------------------------------

NAME_SEPARATORS = re.compile(r"([\s·•・‧.\-]+)")
MASK = "*"
MAX_MASK_PER_PART = 6
MAX_MASKED_LENGTH = 40


def _is_han(text: str) -> bool:
    return all("CJK" in unicodedata.name(char, "") for char in text)


def _keep_first(part: str) -> str:
    return part[:1] + MASK * min(len(part) - 1, MAX_MASK_PER_PART)


def mask_name(name: str) -> str:
    """The holder's name with most of it hidden, enough to match a PDF in hand:

    - a Chinese name of 2 characters keeps the first (张*), of 3 the first and the
      last (张*丰), of 4 or more the first two, since 4-character names mostly
      start with a two-character surname (欧阳**, 司马相如 → 司马**);
    - a name in parts (a space or a separating dot: Latin names, transliterated
      names such as 阿依古丽·买买提) keeps the first letter of each part and the
      separators (John Smith → J*** S****, 阿依古丽·买买提 → 阿***·买**);
    - any other name keeps its first character (Madonna → M******);
    - a one-character name is hidden entirely (*), and so is everything after
      the first character of a name that the rules above would leave whole.

    Each hidden run is at most six asterisks, and the whole at most 40 characters.
    """
    name = " ".join(name.split())
    if _is_han(name.replace(" ", "")):
        name = name.replace(" ", "")  # 张 三 is 张三, typed with a space
    if len(name) <= 1:
        return MASK if name else ""
    parts = NAME_SEPARATORS.split(name)
    if len(parts) > 1:
        masked = "".join(
            part if NAME_SEPARATORS.fullmatch(part) else _keep_first(part)
            for part in parts
            if part
        )
        if MASK not in masked:  # all initials (J. K.): hide all but the first
            masked = _keep_first(name)
    elif _is_han(name) and len(name) == 3:
        masked = name[0] + MASK + name[2]
    elif _is_han(name) and len(name) >= 4:
        masked = name[:2] + MASK * min(len(name) - 2, MAX_MASK_PER_PART)
    else:
        masked = _keep_first(name)
    if len(masked) > MAX_MASKED_LENGTH:
        masked = masked[: MAX_MASKED_LENGTH - 1] + "…"
    return masked


# --- rate limit of public lookups -------------------------------------------------

VERIFY_RATE_LIMIT = 30  # lookups per client address and window
VERIFY_RATE_WINDOW = 60  # seconds


def client_address(request: HttpRequest) -> str:
    """Who is asking, for the rate limit: the client's address (as for login
    throttling), IPv6 clients counted per /64, the block one subscriber gets."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def lookup_refused_for(request: HttpRequest) -> int | None:
    """Count one public lookup from this client. None while under the limit,
    else the seconds until the window ends. A fixed window counted exactly in the
    database (school.throttling), the same for every web process."""
    limit = getattr(settings, "CERTIFICATE_VERIFY_RATE_LIMIT", VERIFY_RATE_LIMIT)
    window = getattr(settings, "CERTIFICATE_VERIFY_RATE_WINDOW", VERIFY_RATE_WINDOW)
    count = throttling.hit(f"verify:{client_address(request)}", window=window)
    if count <= limit:
        return None
    return throttling.seconds_left(window)


def too_many_lookups(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "certificates/rate_limited.html",
        {"retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


# --- the full name, for the visitor who typed it ------------------------------------

VERIFIED_NAMES_SESSION_KEY = "certificates:verified_names"
VERIFIED_NAME_SECONDS = 600  # how long the verification page shows the typed name
MAX_VERIFIED_NAMES = 20  # certificates remembered per session


def _verified_name_seconds() -> int:
    return getattr(settings, "CERTIFICATE_VERIFIED_NAME_SECONDS", VERIFIED_NAME_SECONDS)


def _unexpired_names(request: HttpRequest) -> dict[str, list]:
    now = time.time()
    names = request.session.get(VERIFIED_NAMES_SESSION_KEY) or {}
    return {code: entry for code, entry in names.items() if entry[1] > now}


def remember_verified_name(
    request: HttpRequest, certificate: Certificate, name: str
) -> None:
    """After a lookup that matched: keep the full name the visitor typed, for this
    certificate, in their own session and for a short while only."""
    names = _unexpired_names(request)
    names.pop(certificate.code, None)
    names[certificate.code] = [name, int(time.time()) + _verified_name_seconds()]
    request.session[VERIFIED_NAMES_SESSION_KEY] = dict(
        list(names.items())[-MAX_VERIFIED_NAMES:]
    )


def verified_name(request: HttpRequest, certificate: Certificate) -> str | None:
    """The full name this visitor typed in a matching lookup of this certificate in
    the last few minutes, or None. Forgets expired names (a write to the visitor's
    own session only, never to the database's records)."""
    stored = request.session.get(VERIFIED_NAMES_SESSION_KEY)
    if not stored:
        return None
    names = _unexpired_names(request)
    if names != stored:
        request.session[VERIFIED_NAMES_SESSION_KEY] = names
    entry = names.get(certificate.code)
    return entry[0] if entry else None


# --- public verification ----------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def public_record(certificate: Certificate, today: date | None = None) -> dict:
    """What the verification page shows: the frozen snapshot (never the live
    course, template or user), the masked name and the current standing."""
    snapshot = certificate.snapshot
    standing = certificate.standing(today)
    return {
        "kind": certificate.kind,
        "kind_label": certificate.get_kind_display(),
        "title": certificate.title,
        "standing": standing,
        "standing_label": Standing(standing).label,
        "revoked_on": certificate.revoked_on,
        "holder": mask_name(snapshot.get("holder_name", "")),
        "heading": snapshot.get("heading", ""),
        # A service-record proof: its total hours, items and identity line.
        "total_hours": snapshot.get("total_hours", ""),
        "record_count": snapshot.get("record_count"),
        "items": snapshot.get("items") or [],
        "org_unit": snapshot.get("org_unit_name", ""),
        "course": snapshot.get("course_title", ""),
        "tier": snapshot.get("tier_label", ""),
        "class_label": snapshot.get("class_label", ""),
        "class_level": snapshot.get("class_level_label", ""),
        "study_hours": snapshot.get("study_hours", ""),
        # Later snapshots may carry the hours attended (from attendance records).
        "attended_hours": snapshot.get("attended_hours"),
        "starts_on": _day(snapshot.get("starts_on")),
        "ends_on": _day(snapshot.get("ends_on")),
        "issued_on": _day(snapshot.get("issued_on")),
        "valid_until": certificate.valid_until,
        "school": snapshot.get("school_name", ""),
        "number": certificate.number,
    }


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


STATUS_MEDIA_TYPES = ["text/html", "application/json", "application/ld+json"]


def _status_list(certificate: Certificate) -> JsonResponse:
    return JsonResponse(
        badges.revocation_list_for(certificate),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
@vary_on_headers("Accept")
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The canonical record of a certificate, for anyone holding its QR code. The
    same URL is the Open Badges credential's status: asked for JSON, it answers
    with the certificate's revocation list instead of the page. A visitor who has
    just found it by number and full name sees that name; anyone else the masked one."""
    retry_after = lookup_refused_for(request)
    if retry_after is not None:
        return too_many_lookups(request, retry_after)
    certificate = get_certificate_by_code(code)
    if request.get_preferred_type(STATUS_MEDIA_TYPES) != "text/html":
        return _public(_status_list(certificate))
    record = public_record(certificate)
    typed_name = verified_name(request, certificate)
    if typed_name:
        record["holder"] = typed_name
    return _public(
        render(
            request,
            "certificates/verify.html",
            {
                "certificate": certificate,
                "record": record,
                "holder_name_confirmed": bool(typed_name),
                "holder_name_minutes": _verified_name_seconds() // 60,
                "verification_url": certificate.verification_url,
            },
        )
    )


@never_cache
@sensitive_post_parameters("name")
@require_http_methods(["GET", "HEAD", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """Find a certificate by number and the holder's full name. The form is posted
    (with its CSRF token), so that the name is never part of a URL, and so never
    in an access log, the browser's history or a Referer. A match remembers the
    typed name in the visitor's session and goes to the verification page, which
    then shows it in full; a miss says only that nothing matched."""
    form = VerificationLookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        retry_after = lookup_refused_for(request)
        if retry_after is not None:
            return too_many_lookups(request, retry_after)
        if form.is_valid():
            remember_verified_name(request, form.certificate, form.cleaned_data["name"])
            return redirect("certificates:verify", code=form.certificate.code)
    return _public(render(request, "certificates/lookup.html", {"form": form}))


@require_safe
def issuer_profile(request: HttpRequest, school_id: int) -> JsonResponse:
    """The school's Open Badges issuer profile with its public keys, so anyone can
    check a credential's signature offline. Public, cacheable, and not counted
    against the lookup limit: it reveals nothing about any certificate."""
    school = get_object_or_404(SchoolPage, pk=school_id)
    response = JsonResponse(
        badges.issuer_profile(school),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=300)
    return response


# --- 我的证书 ---------------------------------------------------------------------

EXPIRING_WITHIN_DAYS = 60
# Seconds after which the "being prepared" page of a PDF looks again.
PDF_PENDING_RETRY = 10


@dataclass(frozen=True)
class CertificateRow:
    """One certificate as 我的证书 lists it."""

    certificate: Certificate
    status: str  # valid, expiring, expired or revoked
    status_label: str
    days_left: int | None
    course: str
    heading: str
    kind: str
    issued_on: date | None
    valid_until: date | None
    revoked_on: date | None


def certificate_row(certificate: Certificate, today: date) -> CertificateRow:
    standing = certificate.standing(today)
    days_left = certificate.days_left(today)
    status, label = standing, Standing(standing).label
    expiring = days_left is not None and days_left <= EXPIRING_WITHIN_DAYS
    if standing == Standing.VALID and expiring:
        status = "expiring"
        label = _("即将到期（还剩 %(days)s 天）") % {"days": days_left}
    return CertificateRow(
        certificate=certificate,
        status=status,
        status_label=label,
        days_left=days_left,
        course=certificate.snapshot.get("course_title") or certificate.title,
        heading=certificate.snapshot.get("heading", ""),
        kind=certificate.kind,
        issued_on=_day(certificate.snapshot.get("issued_on")),
        valid_until=certificate.valid_until,
        revoked_on=certificate.revoked_on,
    )


@login_required
@require_safe
def my_certificates(request: HttpRequest) -> HttpResponse:
    """我的证书: the user's certificates with status, PDF, share link and the Open
    Badges credential (explained as a 数字证书). A revoked certificate shows 已撤销
    with its date and offers neither download nor share link (the download views
    still answer its holder and administrators)."""
    today = timezone.localdate()
    rows = [certificate_row(c, today) for c in selectors.certificates_of(request.user)]
    shareable = any(row.status != Standing.REVOKED for row in rows)
    response = render(
        request, "certificates/mine.html", {"rows": rows, "shareable": shareable}
    )
    patch_cache_control(response, private=True)
    return response


@login_required
@require_safe
def download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's PDF, for the holder or an administrator (anyone else
    gets 404). Not rendered yet (the worker does it right after issue): a page
    that says so and looks again by itself. Revoked certificates still download:
    the verification page is what says they no longer stand."""
    certificate = get_certificate_for_download(request.user, pk)
    if not certificate.pdf:
        response = render(
            request,
            "certificates/pdf_pending.html",
            {"certificate": certificate, "retry_after": PDF_PENDING_RETRY},
            status=202,
        )
        response["Retry-After"] = str(PDF_PENDING_RETRY)
        patch_cache_control(response, private=True, no_store=True)
        return response
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=services.archive_member_name(certificate),
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def credential(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a signed Open Badges 3.0 AchievementCredential, for the
    holder or an administrator (anyone else gets 404). Only a completion is an
    achievement; other kinds have none (404)."""
    certificate = get_certificate_for_download(request.user, pk)
    if not certificate.is_completion:
        raise Http404
    try:
        document = badges.credential_for(certificate)
    except badges.NoSigningKey:
        response = render(
            request, "certificates/credential_unavailable.html", status=503
        )
        response["Retry-After"] = "3600"
        return response
    response = JsonResponse(
        document,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response
