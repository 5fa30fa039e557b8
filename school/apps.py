from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wagtail.users.apps import WagtailUsersAppConfig


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("学校")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school import checks  # noqa: F401 - registers the system checks


class SchoolUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the form fields of our User (phone, 姓名, unit)."""

    user_viewset = "school.viewsets.UserViewSet"
