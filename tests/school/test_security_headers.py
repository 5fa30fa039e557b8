"""Every page carries the security headers — the front end, the accounts, the public
verification, the Wagtail admin, the health endpoint — with a strict
Content-Security-Policy outside the admin and a looser one only inside it."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse

import pytest

from school.middleware import ContentSecurityPolicyMiddleware
from school.models import User
from school.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db

FRONT_PAGES = [
    "/",
    "/accounts/login/",
    "/verify/NO-SUCH-CODE/",  # a 404 is a page too
    "/healthz",
]
PERMISSIONS_DENIED = ["geolocation=()", "microphone=()", "payment=()", "usb=()"]


def broken_view(request):
    raise RuntimeError("a bug")


# The project's URLs and one that fails, for the server-error page.
urlpatterns = [path("broken/", broken_view), *project_urlpatterns]


def directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    assert "camera=(self)" in permissions
    for denied in PERMISSIONS_DENIED:
        assert denied in permissions
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert not any(
        source.startswith(("http:", "https:")) or source == "*"
        for name, sources in policy.items()
        if name != "frame-src"
        for source in sources
    ), "nothing but our origin may supply scripts, styles, fonts or images"


@pytest.mark.parametrize("path", FRONT_PAGES)
def test_front_pages_carry_the_strict_policy_and_the_other_headers(
    client, grid_school, path
):
    response = client.get(path)

    assert response.status_code in {200, 404}
    assert_common_headers(response)
    assert response["X-Frame-Options"] == "DENY"
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_them_too(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert_common_headers(response)
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_an_inline_script_gets_the_nonce_that_the_header_names(rf):
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">1</script>'
    )

    def view(request):
        return HttpResponse(template.render({}, request))

    request = rf.get("/")
    response = ContentSecurityPolicyMiddleware(view)(request)

    nonce = request.csp_nonce
    assert f'nonce="{nonce}"' in response.content.decode()
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


def test_the_admin_login_allows_inline_code_but_nothing_from_elsewhere(client):
    response = client.get(reverse("wagtailadmin_login"))

    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_a_page_preview_keeps_the_front_end_policy_but_the_admin_may_frame_it(
    rf, grid_school
):
    request = rf.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[grid_school.pk])
    )
    request.user = User.objects.create_superuser(phone="13800000009", password="x")

    # Wagtail sends the preview's dummy request through the middleware.
    response = grid_school.make_preview_request(request)

    assert response.status_code == 200
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_the_admin_preview_view_may_be_framed_by_the_admin_only(client, grid_school):
    client.force_login(
        User.objects.create_superuser(phone="13800000009", password="x-Long-99")
    )

    response = client.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[grid_school.pk])
    )

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response)["frame-ancestors"] == ["'self'"]
