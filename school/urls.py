from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, reverse_lazy

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from school import views


def _auth_page(view, template: str, **options):
    """One of django.contrib.auth's views, drawn with our templates/accounts/."""
    return view.as_view(template_name=f"accounts/{template}.html", **options)


account_patterns = (
    [
        path("signup/", views.signup, name="signup"),
        path("activate/", views.activate, name="activate"),
        path("privacy/", views.privacy_notice, name="privacy"),
        path("login/", views.LoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("profile/", views.profile, name="profile"),
        path(
            "password/reset/", views.PasswordResetView.as_view(), name="password_reset"
        ),
        path(
            "password/reset/sent/",
            _auth_page(auth_views.PasswordResetDoneView, "password_reset_done"),
            name="password_reset_done",
        ),
        path(
            "password/reset/<uidb64>/<token>/",
            _auth_page(
                auth_views.PasswordResetConfirmView,
                "password_reset_confirm",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            ),
            name="password_reset_confirm",
        ),
        path(
            "password/reset/complete/",
            _auth_page(auth_views.PasswordResetCompleteView, "password_reset_complete"),
            name="password_reset_complete",
        ),
        path(
            "password/change/",
            _auth_page(
                auth_views.PasswordChangeView,
                "password_change_form",
                success_url=reverse_lazy("accounts:profile"),
            ),
            name="password_change",
        ),
    ],
    "accounts",
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(account_patterns)),
    path("learning/", include("courses.urls")),
    path("sites/", include("courses.site_urls")),
    path("check-in/", include("courses.checkin_urls")),
    path("feedback/", include("courses.feedback_urls")),
    path("volunteer/", include("volunteers.urls")),
    path("activities/", include("volunteers.activity_urls")),
    path("notifications/", include("school.notification_urls")),
    path("dashboard/", include("dashboards.urls")),
    path("api/", include("api.urls")),
    path("", include("certificates.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's front-end URLs as wagtail.urls lists them, but pages are served through
# serve_page, which finds the request's Site in the cache (school.routing).
urlpatterns += [
    *(url for url in wagtail_urls.urlpatterns if url.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, views.serve_page, name="wagtail_serve"),
]
