from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wagtail.users.apps import WagtailUsersAppConfig


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("学校")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Site
        from wagtail.signals import post_page_move

        from school import encryption  # registers its deploy check too
        from school.backends import forget_login_failures, record_login_failure
        from school.models import SchoolPage
        from school.routing import forget_sites
        from school.selectors import forget_navigation

        encryption.register_encrypted_field("school.ActivationCode", "code_encrypted")
        user_login_failed.connect(
            record_login_failure, dispatch_uid="school.record_login_failure"
        )
        user_logged_in.connect(
            forget_login_failures, dispatch_uid="school.forget_login_failures"
        )
        # What the cache keeps of the Sites and of the schools' pages goes when they
        # change (school.routing, schools_for_navigation).
        for signal in (post_save, post_delete):
            signal.connect(
                forget_sites, sender=Site, dispatch_uid="school.forget_sites"
            )
            signal.connect(
                forget_navigation,
                sender=SchoolPage,
                dispatch_uid="school.forget_navigation",
            )
        post_page_move.connect(forget_sites, dispatch_uid="school.forget_sites")
        post_page_move.connect(
            forget_navigation, dispatch_uid="school.forget_navigation"
        )


class SchoolUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the form fields of our User (phone, 姓名, unit)."""

    user_viewset = "school.viewsets.UserViewSet"
