"""A school's catalogue on its home page: where it is, its tiers and a few courses.

The school app's home page cannot ask for courses itself (school ← courses: the
school app never imports this one), so its template loads this tag, the way the
header links to 我的学习. The catalogue is read as rows, kept in the shared cache
for a minute like the home page's headline figures, and turned into URLs for the
request at hand.
"""

from dataclasses import dataclass

from django import template
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest

from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage, Tier
from school.models import SchoolPage, children_of

register = template.Library()

FEATURED_LIMIT = 3
CACHE_SECONDS = 60


@dataclass(frozen=True)
class TierLink:
    """One tier of the catalogue, with how many courses it holds."""

    label: str
    url: str
    count: int


@dataclass(frozen=True)
class FeaturedCourse:
    """A course shown on the home page: 精品 ones first, in catalogue order."""

    title: str
    url: str
    tier: str
    tier_label: str
    summary: str
    study_hours: str  # 2, 1.5: as the catalogue's cards print it
    is_featured: bool


@dataclass(frozen=True)
class SchoolCatalogue:
    """A school's catalogue as its home page shows it."""

    title: str
    url: str
    total: int
    tiers: list[TierLink]
    featured: list[FeaturedCourse]


def _catalogue_rows(school: SchoolPage) -> dict | None:
    """The first live catalogue below the school, its course count per tier and
    its featured courses, as plain rows: three queries, or none from the cache."""
    key = f"courses:school-catalogue:{school.pk}"
    rows = cache.get(key)
    if rows is None:
        catalogue = (
            children_of(school, CourseIndexPage)
            .live()
            .order_by("path")
            .values("title", "url_path", "path", "depth")
            .first()
        )
        rows = {"catalogue": catalogue}
        if catalogue is not None:
            courses = CoursePage.objects.live().filter(
                path__startswith=catalogue["path"], depth=catalogue["depth"] + 1
            )
            rows["tiers"] = dict(
                courses.order_by()
                .values_list("tier")
                .annotate(count=Count("pk"))
                .values_list("tier", "count")
            )
            rows["featured"] = list(
                courses.order_by("-is_featured", "path").values(
                    "title", "url_path", "tier", "summary", "study_hours", "is_featured"
                )[:FEATURED_LIMIT]
            )
        cache.set(key, rows, CACHE_SECONDS)
    return rows if rows["catalogue"] is not None else None


@register.simple_tag(takes_context=True)
def school_catalogue(context, school: SchoolPage) -> SchoolCatalogue | None:
    """The school's catalogue (title, URL, tiers with counts, up to three courses,
    精品 first), or None if it has no live one."""
    rows = _catalogue_rows(school)
    if rows is None:
        return None
    request: HttpRequest | None = context.get("request")
    catalogue = rows["catalogue"]
    # A stand-in page: Wagtail works its URL out from url_path and the cached
    # site root paths, without a query.
    url = Page(url_path=catalogue["url_path"]).get_url(request) or ""
    tiers = [
        TierLink(label=label, url=f"{url}?tier={value}", count=rows["tiers"][value])
        for value, label in Tier.choices
        if rows["tiers"].get(value)
    ]
    featured = [
        FeaturedCourse(
            title=row["title"],
            url=url + row["url_path"][len(catalogue["url_path"]) :],
            tier=row["tier"],
            tier_label=Tier(row["tier"]).label,
            summary=row["summary"],
            study_hours=f"{row['study_hours'].normalize():f}",
            is_featured=row["is_featured"],
        )
        for row in rows["featured"]
    ]
    return SchoolCatalogue(
        title=catalogue["title"],
        url=url,
        total=sum(rows["tiers"].values()),
        tiers=tiers,
        featured=featured,
    )
