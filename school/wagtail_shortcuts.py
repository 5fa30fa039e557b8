"""The places where Gridschool reaches into Wagtail's internals, gathered here so
that a Wagtail upgrade has one module to check. Should one stop working, pages
still render (Wagtail looks again), and the query counts of
tests/bench/test_courses.py go up by the figures given here.

Each stays only because tests/bench/test_courses.py measured that the public way
costs more; the figures are from that benchmark on SQLite (queries per page
after warm-up: catalogue, lesson, 我的学习 of a trainee with fifty enrolments).
Anything Wagtail offers publicly at the same cost is used instead, elsewhere:
the host comes from request.get_host() (CommonMiddleware has checked it), and
a Site already found is read back through Site.find_for_request.
"""

from django.http import HttpRequest

from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult


def site_is_known(request: HttpRequest) -> bool:
    """Whether the request's Site has been found already (by Wagtail or by
    remember_site): Site.find_for_request then answers without a query."""
    return hasattr(request, "_wagtail_site")


def remember_site(request: HttpRequest, site: Site | None) -> None:
    """Hand Wagtail a Site found from the cache (school.routing).

    Wagtail looks the Site up with a query on every page view and keeps it in
    request._wagtail_site; set there, its serve view, page URLs and template tags
    use ours. Saves one query on every page: catalogue 13 → 12, lesson 10 → 9,
    我的学习 8 → 7."""
    request._wagtail_site = site


def remember_route(request: HttpRequest, route: RouteResult | None) -> None:
    """Hand Wagtail's serve view the route found from the cached root page
    (school.routing.route_for_request).

    Page.route_for_request keeps its answer in request._wagtail_route_for_request;
    without ours it reads the root page afresh and routes from it with two queries
    a level. Saves two queries on every page below a school: catalogue 14 → 12,
    lesson 11 → 9."""
    request._wagtail_route_for_request = route


def remember_parent(page: Page, parent: Page) -> None:
    """Tell a page found by routing which page it sits under, as Wagtail's own
    Page.route does (treebeard's get_parent reads _cached_parent_obj).

    Used by CoursePage.route only: a lesson's view reads its course through
    get_parent, and this saves that query (lesson 10 → 9). The other routes
    (SchoolPage, CourseIndexPage) do without: nothing reads a school's or a
    course's parent when serving it, and the benchmark shows no gain there."""
    page._cached_parent_obj = parent
