from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def issue_when_completed(sender, enrollment_id: int, **kwargs) -> None:
    """An enrolment completed (its transaction has committed): issue in the worker."""
    from django_q.tasks import async_task

    async_task("certificates.tasks.issue_on_completion_task", enrollment_id)


def warm_up_renderer(sender, proc_name: str = "", **kwargs) -> None:
    """A django-q2 worker started: load the PDF fonts and layouts before its first
    certificate (not in synchronous mode, where tasks run in the caller)."""
    from django_q.conf import Conf

    if Conf.SYNC:
        return
    from certificates.rendering import warm_up

    warm_up()


class CertificatesConfig(AppConfig):
    """Credentials: templates, issued certificates, verification, Open Badges."""

    name = "certificates"
    verbose_name = _("证书")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from certificates.checks import pdf_dependencies_check
        from courses.signals import enrollment_completed
        from school import encryption

        checks.register(pdf_dependencies_check, "gridschool")
        encryption.register_encrypted_field(
            "certificates.SigningKey", "private_key_encrypted"
        )

        enrollment_completed.connect(
            issue_when_completed, dispatch_uid="certificates.issue_when_completed"
        )
        from django_q.signals import post_spawn

        post_spawn.connect(
            warm_up_renderer, dispatch_uid="certificates.warm_up_renderer"
        )
