"""我的成长: one page with the whole story of the person asking — there is no page
of anyone else's growth. A GET that changes nothing."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from volunteers.growth import growth_of, points_history


@login_required
@require_safe
def my_growth(request: HttpRequest) -> HttpResponse:
    """我的成长: the ladder and where I stand, what the next step needs, my
    certificates, hours, points and their history, attendance, applications,
    promotions and level events, and the courses a higher level opens."""
    response = render(
        request,
        "volunteers/growth_mine.html",
        {
            "growth": growth_of(request.user),
            "history": points_history(request.user, request.GET.get("page")),
        },
    )
    patch_cache_control(response, private=True)
    return response
