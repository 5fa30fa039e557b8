"""Security headers that Django's own settings do not cover.

Django's SecurityMiddleware and XFrameOptionsMiddleware send nosniff, the
Referrer-Policy, the Cross-Origin-Opener-Policy and X-Frame-Options (settings in
school/settings/base.py). These two add the Content-Security-Policy (through
django-csp) and the Permissions-Policy, on every response of every environment.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the policy by what the response is.

    Under the Wagtail admin the policy is CONTENT_SECURITY_POLICY_ADMIN: Wagtail's
    own templates still run inline scripts (date pickers, inline panels, chooser
    modals). A page preview, and any response that its own origin may frame
    (X-Frame-Options: SAMEORIGIN), gets ``frame-ancestors 'self'``, so the two
    headers always say the same.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and request.path.startswith(
            reverse("wagtailadmin_home")
        ):
            parts.config = default_config(
                settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
            )
        # Wagtail renders a preview by sending a dummy request for the page's own
        # URL through the middleware: it gets the page's policy, and may be framed
        # by the admin that asked for it.
        framed_by_us = getattr(request, "is_dummy", False)
        if framed_by_us or response.get("X-Frame-Options", "") == "SAMEORIGIN":
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy built from settings.PERMISSIONS_POLICY, which
    maps a browser feature to the origins allowed to use it (``[]``: nobody)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
