from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTOR = _("操作人")


def actor_field(verbose_name=ACTOR) -> models.ForeignKey:
    """Who did something: a person, kept empty if the account goes (the record
    stays) or when the system acted; no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class AuditEvent(models.Model):
    """One row of an audit trail: who (`actor`, kept empty if the account goes or
    for the system), why (`note`) and when. A concrete trail adds what it is about
    (a foreign key) and `kind`, a CharField with its own nested Kind choices; it
    writes its rows in the same transaction as the change they record."""

    actor = actor_field()
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
