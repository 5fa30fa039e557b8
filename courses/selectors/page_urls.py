"""URLs of pages below a page whose URL is known, worked out from their url_path
without a query or a page object each."""

from wagtail.models import Page


def descendant_urls(bases: list[tuple[str, str | None]]):
    """URL of a page below one of `bases` (url_path, URL), without a query or a page
    object each: a descendant's URL is its ancestor's plus the rest of its
    url_path."""

    def url_of(url_path: str) -> str | None:
        for base_path, base_url in bases:
            if base_url is not None and url_path.startswith(base_path):
                return base_url + url_path[len(base_path) :]
        return None

    return url_of


def url_from_path(url_paths: list[str]):
    """As descendant_urls, the ancestors' URLs being Wagtail's, worked out from an
    unsaved stand-in page each (no query)."""
    return descendant_urls(
        [(path, Page(url_path=path).get_url()) for path in url_paths]
    )
