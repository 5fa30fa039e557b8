"""What the site's header needs from the school app, asked only when drawn."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from school.notifications import unread_count


def notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: how many of the user's notifications are unread
    (the header's 消息 badge). One COUNT, and only on pages that draw the header
    for a logged-in user."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
