from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from wagtail import views as wagtail_views

from django_q.brokers import get_broker

from school import services
from school.addresses import client_ip
from school.forms import (
    ActivationForm,
    PhoneLoginForm,
    ProfileForm,
    SignupForm,
    TraineeImportForm,
)
from school.importing import MAX_FILE_BYTES, UnreadableFile
from school.models import User
from school.permissions import user_can_import_trainees
from school.routing import route_for_request


def _next_url(request: HttpRequest) -> str:
    """The page that sent the person here (`next`), if it is one of ours; else
    LOGIN_REDIRECT_URL (我的学习). Another host's URL is never followed."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _safe_next(request: HttpRequest) -> str:
    # For the forms' hidden field and the links between log-in and sign-up.
    url = _next_url(request)
    return "" if url == resolve_url(settings.LOGIN_REDIRECT_URL) else url


def _new_account_page(
    request: HttpRequest,
    form,
    template: str,
    create: Callable[..., User],
    welcome: str,
) -> HttpResponse:
    """Sign-up and activation alike: on a valid POST, `create` the account from the
    form's account_fields (a service, which may refuse with a message for the form),
    log the person in and go on to 我的学习 or the page that sent them."""
    if request.method == "POST" and form.is_valid():
        try:
            user = create(form.account_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, welcome)
            return redirect(_next_url(request))
    return render(
        request,
        template,
        {
            "form": form,
            "next": _safe_next(request),
            "privacy_notice_version": settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
        },
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Sign-up; then on to 我的学习, or to the page that sent the person here."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    return _new_account_page(
        request,
        SignupForm(request.POST or None),
        "accounts/signup.html",
        lambda fields: services.register_trainee(
            **fields, privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION
        ),
        _("注册成功，欢迎加入！"),
    )


@sensitive_post_parameters("code", "password1", "password2")
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """An imported person claims their account with the code on their slip."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    return _new_account_page(
        request,
        ActivationForm(request.POST or None),
        "accounts/activate.html",
        lambda fields: services.activate_account(
            **fields,
            address=client_ip(request),
            privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
        ),
        _("账号已激活，欢迎！以后用手机号和新密码登录。"),
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The 个人信息保护说明 on a page of its own (sign-up shows it inline too)."""
    return render(
        request,
        "accounts/privacy.html",
        {"privacy_notice_version": settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, its link built on SITE_URL rather than on the Host
    header of the request (which, where every host is allowed, anyone could set to
    their own server and so receive the reset link)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "emails/password_reset-body.txt"
    subject_template_name = "emails/password_reset-subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


class LoginView(auth_views.LoginView):
    form_class = PhoneLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                user,
                real_name=form.cleaned_data["real_name"],
                email=form.cleaned_data["email"],
                org_unit=form.cleaned_data["org_unit"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("个人资料已保存。"))
            return redirect("accounts:profile")
    if request.method == "POST":
        user.refresh_from_db()
    return render(
        request, "accounts/profile.html", {"form": form, "profile_user": user}
    )


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, the page found from the Site in the cache."""
    route_for_request(request, path)
    return wagtail_views.serve(request, path)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database and the job queue answer, else 503."""
    checks = {"database": _database_ok(), "queue": _queue_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks},
        status=200 if healthy else 503,
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _queue_ok() -> bool:
    try:
        return bool(get_broker().ping())
    except Exception:
        return False


@require_http_methods(["GET", "POST"])
def import_trainees_view(request: HttpRequest) -> HttpResponse:
    """Admin upload of a trainee list. Lives under /admin/, so Wagtail has already
    required a logged-in user with admin access; importing needs more."""
    if not user_can_import_trainees(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(
            request, "school/admin/import_trainees.html", {"form": TraineeImportForm()}
        )
    # Bound even when request.POST is empty: the upload is in request.FILES.
    form = TraineeImportForm(request.POST, request.FILES)
    errors: list = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte over the limit is enough for read_table to refuse the file,
            # without loading an arbitrarily large upload into memory.
            content = upload.read(MAX_FILE_BYTES + 1)
            record = services.import_trainees(
                content, filename=upload.name, actor=request.user
            )
        except UnreadableFile as error:
            form.add_error("file", str(error))
        except services.ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(
                request,
                _(
                    "导入完成：共 %(rows)s 行，新建 %(created)s 人，更新 %(updated)s 人，"
                    "未变 %(unchanged)s 人。"
                )
                % {
                    "rows": record.rows,
                    "created": record.created,
                    "updated": record.updated,
                    "unchanged": record.unchanged,
                },
            )
            return redirect("school_import_codes", import_id=record.pk)
    return render(
        request,
        "school/admin/import_trainees.html",
        {"form": form, "row_errors": errors},
        status=400,
    )
