"""Who is calling /api/v1/: a bearer token (the mobile app) or a logged-in
browser session. A session must also pass Django's CSRF check on unsafe methods,
exactly as a form post does; a token needs none (a browser never sends it by
itself). Inactive users are refused either way."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from api import tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, the token kept on the
    request (DELETE /auth/token revokes the one in use)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.token_for_secret(token)
        if found is None:
            return None
        request.api_token = found
        if request.method not in SAFE_METHODS:
            tokens.note_use(found)
        return found.user


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF token required on unsafe methods (header
    X-CSRFToken, as the web's scripts send it). Checked only once a session
    user is found, so that a caller with neither token nor session hears 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        if check_csrf(request):
            raise HttpError(
                403,
                _("安全校验失败（缺少或错误的 CSRF 令牌）。请刷新页面后重试。"),
            )
        return user
