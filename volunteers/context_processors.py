"""What the site's header needs from the volunteers app, asked only when drawn."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from volunteers.models import Merchant


def volunteer_links(request: HttpRequest) -> dict:
    """`marks_codes`: the user is staff of an active merchant (the header offers
    兑换码核销). One query, and only on pages that ask (base.html asks for staff
    accounts only)."""
    user = getattr(request, "user", None)

    def marks_codes() -> bool:
        if user is None or not user.is_authenticated:
            return False
        return Merchant.objects.filter(staff=user, is_active=True).exists()

    return {"marks_codes": SimpleLazyObject(marks_codes)}
