from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _evaluate_holder(sender, *, certificate_id: int, **kwargs) -> None:
    """A certificate was issued (its transaction committed): check its holder
    against the ladder's rules in the background."""
    from django_q.tasks import async_task

    from certificates.models import Certificate

    holder_id = (
        Certificate.objects.filter(pk=certificate_id)
        .values_list("holder_id", flat=True)
        .first()
    )
    if holder_id is not None:
        async_task(
            "volunteers.tasks.evaluate_person_task",
            holder_id,
            task_name=f"evaluate-level-{holder_id}",
        )


def _evaluate_holders(sender, *, certificate_ids: list[int], **kwargs) -> None:
    """A bulk issue's chunk of certificates committed: one background check of
    their holders against the ladder, not one job per certificate."""
    from django_q.tasks import async_task

    from certificates.models import Certificate

    holder_ids = sorted(
        set(
            Certificate.objects.filter(pk__in=certificate_ids).values_list(
                "holder_id", flat=True
            )
        )
    )
    if holder_ids:
        async_task("volunteers.tasks.evaluate_people_task", holder_ids)


def _flag_level(sender, *, certificate_id: int, **kwargs) -> None:
    """A certificate was revoked (committed): flag the holder's level for review
    if it rested on it, in the background."""
    from django_q.tasks import async_task

    async_task(
        "volunteers.tasks.flag_level_task",
        certificate_id,
        task_name=f"flag-level-{certificate_id}",
    )


class VolunteersConfig(AppConfig):
    """Growth: point items, service records and their approval, the points ledger,
    merchants, rewards and redemptions, service-record proofs, and the level
    ladder (which listens to the certificates app's signals)."""

    name = "volunteers"
    verbose_name = _("志愿服务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certificates.signals import (
            certificate_issued,
            certificate_revoked,
            certificates_issued,
        )
        from volunteers.activity_kinds import register_activity_sessions

        certificate_issued.connect(_evaluate_holder, dispatch_uid="ladder-issued")
        certificates_issued.connect(_evaluate_holders, dispatch_uid="ladder-bulk")
        certificate_revoked.connect(_flag_level, dispatch_uid="ladder-revoked")
        register_activity_sessions()
