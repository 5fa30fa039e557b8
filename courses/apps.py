from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Learning and the classroom: catalogue, lessons, classes, enrolment, progress."""

    name = "courses"
    verbose_name = _("课程")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses import session_kinds

        session_kinds.register_class_sessions()
