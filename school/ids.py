"""Ids in URLs: a number too large for the database names nothing, so it is a 404.

Django's `int` converter accepts any run of digits, and Wagtail's admin passes
primary keys as strings; a value past the database's 64-bit integers then reaches
the query and crashes it (OverflowError on SQLite, a DataError on PostgreSQL): a
500 for what is simply an object that does not exist. One middleware answers 404
for every URL of the project and of Wagtail, instead of a converter per pattern.
"""

from django.http import Http404, HttpRequest

# The largest value of a 64-bit signed integer: BigAutoField on SQLite and
# PostgreSQL alike.
MAX_ID = 2**63 - 1


def is_out_of_range(name: str, value: object) -> bool:
    """Whether a URL argument is an id that no row can have."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not 0 <= value <= MAX_ID
    looks_like_id = name in ("pk", "id") or name.endswith(("_id", "_pk"))
    if looks_like_id and isinstance(value, str) and value.isascii():
        return value.isdigit() and int(value) > MAX_ID
    return False


class OutOfRangeIdMiddleware:
    """Raises Http404 before the view runs when a URL carries an impossible id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        arguments = [("", value) for value in view_args] + list(view_kwargs.items())
        if any(is_out_of_range(name, value) for name, value in arguments):
            raise Http404
        return None
