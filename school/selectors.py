"""Reads that span relations. Each returns in a fixed number of queries."""

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpRequest

from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User
from school.routing import site_for_request

HOME_SITE_LIMIT = 6
HEADLINE_CACHE_KEY = "school:headline-figures"
HEADLINE_CACHE_SECONDS = 60
NAVIGATION_FIELDS = ("title", "url_path", "display_name", "tagline", "kind")
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


def forget_navigation(**kwargs) -> None:
    """Receiver of SchoolPage's post_save and post_delete and of post_page_move."""
    cache.delete(NAVIGATION_CACHE_KEY)
