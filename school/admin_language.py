"""The admin speaks the school's language, not the browser's.

Django's LocaleMiddleware picks the language a browser asks for (Accept-Language,
or the front pages' language cookie), and Wagtail's admin falls back to it for a
user with no preferred language in their account settings. A school's staff work
in the school's language (settings.LANGUAGE_CODE) whatever their browser is set
to; a staff member who wants another language chooses it in 账号设置, and Wagtail
then uses that choice.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """Activates LANGUAGE_CODE for every request to the Wagtail admin.

    Comes right after LocaleMiddleware, which it overrides there; Wagtail's own
    per-user preference (UserProfile.preferred_language) still applies on top.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
