from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How often something happened in one fixed time window (login failures of a
    phone number or from an address, certificate look-ups, activation attempts).

    In the database rather than the cache so that every web process counts on the
    same row, exactly: one upsert per event (school.throttling.hit).
    """

    key = models.CharField(_("键"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
