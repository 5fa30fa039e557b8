"""Reads that span relations. Each returns in a fixed number of queries."""

from django.db.models import Count, Q

from wagtail.models import Page

from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User

HOME_SITE_LIMIT = 6


def school_home_context(page: SchoolPage) -> dict:
    """What a school's home page shows: headline figures, some practice sites and the
    other schools. A constant number of queries, however many trainees or sites."""
    units = OrgUnit.objects.aggregate(
        communities=Count("pk", filter=Q(kind=OrgUnit.Kind.COMMUNITY)),
        grids=Count("pk", filter=Q(kind=OrgUnit.Kind.GRID)),
    )
    site_counts = PracticeSite.objects.active().aggregate(
        sites=Count("pk"),
    )
    people = User.objects.filter(is_active=True).aggregate(
        trainees=Count("pk"),
        volunteers=Count("pk", filter=~Q(level=Level.RESIDENT)),
    )
    sites = list(
        PracticeSite.objects.active()
        .select_related("org_unit")
        .order_by("name")[:HOME_SITE_LIMIT]
    )
    return {
        "stats": {**units, **site_counts, **people},
        "practice_sites": sites,
        "other_schools": list(
            SchoolPage.objects.live().exclude(pk=page.pk).order_by("path")
        ),
    }


def schools_for_navigation() -> list[Page]:
    """Both schools' home pages, in tree order, for the site header."""
    return list(SchoolPage.objects.live().order_by("path").only("title", "url_path"))
