"""Which Wagtail Site a request is for, and which page, with the Site from the
shared cache.

Wagtail works the Site out with a query on every page view (Site.find_for_request),
the dearest query of most pages here, then reads the site's root page afresh before
routing from it. Sites change rarely: the answers are kept in the cache, with their
root pages, dropped whenever a Site is saved or deleted or a page moved
(forget_sites), and otherwise at most SITES_CACHE_SECONDS old, for hosts whose cache
is not shared.
"""

from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port

from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname
from wagtail.url_routing import RouteResult

from school.models import SchoolPage
from school.wagtail_shortcuts import remember_route, remember_site, site_is_known

SITES_CACHE_KEY = "school:sites"
SITES_CACHE_SECONDS = 300


def site_for_request(request: HttpRequest) -> Site | None:
    """Site.find_for_request, answered from the cache: the Site Wagtail would pick
    for this host and port (with its root page), handed to Wagtail for the rest
    of the request."""
    if not site_is_known(request):
        host = (split_domain_port(request.get_host())[0], request.get_port())
        sites = cache.get(SITES_CACHE_KEY) or {}
        if host not in sites:
            try:
                sites[host] = get_site_for_hostname(*host)
            except Site.DoesNotExist:
                sites[host] = None
            cache.set(SITES_CACHE_KEY, sites, SITES_CACHE_SECONDS)
        remember_site(request, sites[host])
    return Site.find_for_request(request)


def route_for_request(request: HttpRequest, path: str) -> RouteResult | None:
    """Page.route_for_request, handed to Wagtail for its serve view. A page below a
    school's home page is routed from the root page as the cache holds it
    (SchoolPage.route reads only its path and depth); the home page itself is read
    afresh, as Wagtail does."""
    site = site_for_request(request)
    components = [component for component in path.split("/") if component]
    if site is None or not components:
        return Page.route_for_request(request, path)
    root = site.root_page.localized.specific_deferred
    if not isinstance(root, SchoolPage):
        return Page.route_for_request(request, path)
    try:
        route = root.route(request, components)
    except Http404:
        route = None
    remember_route(request, route)
    return route


def forget_sites(**kwargs) -> None:
    """Receiver of Site's post_save and post_delete and of post_page_move: the next
    request looks again."""
    cache.delete(SITES_CACHE_KEY)
