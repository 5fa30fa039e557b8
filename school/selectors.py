"""Reads that span relations. Each returns in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school import encryption
from school.activation import display_code
from school.models import (
    ActivationCode,
    Level,
    OrgUnit,
    PracticeSite,
    SchoolPage,
    TraineeImport,
    User,
)
from school.routing import site_for_request

HOME_SITE_LIMIT = 6
HEADLINE_CACHE_KEY = "school:headline-figures"
HEADLINE_CACHE_SECONDS = 60
NAVIGATION_FIELDS = (
    "title",
    "url_path",
    "display_name",
    "tagline",
    "kind",
    "late_credit",
)
NAVIGATION_CACHE_KEY = "school:navigation"
NAVIGATION_CACHE_SECONDS = 60


def headline_figures() -> dict[str, int]:
    """Communities, grids, active sites, active people and volunteers.

    Counting every person on each home-page view is most of that page's cost, and a
    headline figure a minute old is as good as a fresh one: kept in the shared cache
    for a minute.
    """
    figures = cache.get(HEADLINE_CACHE_KEY)
    if figures is None:
        figures = {
            **OrgUnit.objects.order_by().aggregate(
                communities=Count("pk", filter=Q(kind=OrgUnit.Kind.COMMUNITY)),
                grids=Count("pk", filter=Q(kind=OrgUnit.Kind.GRID)),
            ),
            **PracticeSite.objects.active().order_by().aggregate(sites=Count("pk")),
            **User.objects.filter(is_active=True)
            .order_by()
            .aggregate(
                trainees=Count("pk"),
                volunteers=Count("pk", filter=~Q(level=Level.RESIDENT)),
            ),
        }
        cache.set(HEADLINE_CACHE_KEY, figures, HEADLINE_CACHE_SECONDS)
    return figures


def school_home_context(page: SchoolPage, request: HttpRequest | None = None) -> dict:
    """What a school's home page shows: headline figures, some practice sites and the
    other schools. A constant number of queries, however many trainees or sites."""
    return {
        "stats": headline_figures(),
        "practice_sites": list(
            PracticeSite.objects.active()
            .select_related("org_unit")
            .order_by("name")[:HOME_SITE_LIMIT]
        ),
        "other_schools": [
            school for school in schools_for_navigation(request) if school.pk != page.pk
        ],
    }


def schools_for_navigation(request: HttpRequest | None = None) -> list[SchoolPage]:
    """Both schools' home pages in tree order, which the header of every page shows:
    kept in the shared cache, dropped whenever a school's page is saved, moved or
    deleted (forget_navigation) and otherwise at most a minute old; read once per
    request. Their links need the request's Site, which views outside Wagtail's
    would otherwise look up with a query: found in the cache as well."""
    cached = getattr(request, "_schools_navigation", None)
    if cached is not None:
        return cached
    schools = cache.get(NAVIGATION_CACHE_KEY)
    if schools is None:
        schools = list(
            SchoolPage.objects.live().order_by("path").only(*NAVIGATION_FIELDS)
        )
        cache.set(NAVIGATION_CACHE_KEY, schools, NAVIGATION_CACHE_SECONDS)
    if request is not None:
        site_for_request(request)
        request._schools_navigation = schools
    return schools


def school_of_page(page, request: HttpRequest | None = None) -> SchoolPage | None:
    """The school a page belongs to: the nearest school home page at or above it,
    found among the schools the header has read already (no query). None for
    anything that is not a page inside a school."""
    url_path = getattr(page, "url_path", None)
    if not isinstance(url_path, str):
        return None
    schools = [
        school
        for school in schools_for_navigation(request)
        if url_path.startswith(school.url_path)
    ]
    return max(schools, key=lambda school: len(school.url_path), default=None)


def forget_navigation(**kwargs) -> None:
    """Receiver of SchoolPage's post_save and post_delete and of post_page_move."""
    cache.delete(NAVIGATION_CACHE_KEY)


def unit_names(units: list[OrgUnit | None]) -> dict[int, str]:
    """Full names (街道 › 社区 › 网格) of the given units, in one query: a unit's
    ancestors are the prefixes of its materialised path."""
    units = [unit for unit in units if unit is not None]
    prefixes = {
        unit.path[:end]
        for unit in units
        for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
    }
    names = dict(
        OrgUnit.objects.filter(path__in=prefixes, depth__gt=1).values_list(
            "path", "name"
        )
    )
    return {
        unit.pk: " › ".join(
            names[unit.path[:end]]
            for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
            if unit.path[:end] in names
        )
        or unit.name
        for unit in units
    }


@dataclass(frozen=True)
class ActivationRow:
    """One imported account on an import's activation page: its latest code, shown
    in clear while it can still be used."""

    user: User
    unit: str
    code: str  # "" unless live
    status: str  # live, used, expired or voided
    status_label: str
    expires_at: datetime


ACTIVATION_STATUS_LABELS = {
    "live": _("待激活"),
    "used": _("已激活"),
    "expired": _("已过期"),
    "voided": _("已作废"),
}


def _code_status(code: ActivationCode, now: datetime) -> str:
    if code.used_at is not None:
        return "used"
    if code.voided_at is not None:
        return "voided"
    return "live" if code.expires_at > now else "expired"


def activation_rows(trainee_import: TraineeImport) -> list[ActivationRow]:
    """The accounts an import gave codes to, by unit and phone, each with its
    latest code (a renewed code stays with the import it replaced). Two queries."""
    now = timezone.now()
    latest: dict[int, ActivationCode] = {}
    for code in (
        ActivationCode.objects.filter(trainee_import=trainee_import)
        .select_related("user__org_unit")
        .order_by("user_id", "-created_at", "-pk")
    ):
        latest.setdefault(code.user_id, code)
    units = unit_names([code.user.org_unit for code in latest.values()])
    rows = []
    for code in latest.values():
        status = _code_status(code, now)
        rows.append(
            ActivationRow(
                user=code.user,
                unit=units.get(code.user.org_unit_id, ""),
                code=(
                    display_code(encryption.decrypt(code.code_encrypted))
                    if status == "live"
                    else ""
                ),
                status=status,
                status_label=str(ACTIVATION_STATUS_LABELS[status]),
                expires_at=code.expires_at,
            )
        )
    return sorted(rows, key=lambda row: (row.unit, row.user.phone))
