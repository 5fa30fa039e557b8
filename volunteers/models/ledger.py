"""The points ledger: one account per person whose counters move only by
conditional UPDATE in the transaction that appends the entry, and the append-only
entries themselves. A check constraint keeps the balance at or above zero, so the
database refuses an overdraft however the requests race."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointAccount(models.Model):
    """A person's points: the `balance` to spend, the points `earned` in all
    (credits, never reduced by spending: levels look at it) and the approved
    service `hours` (which never expire). Kept equal to the sum of the entries by
    volunteers.ledger, the only writer."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="point_account",
    )
    balance = models.IntegerField(_("积分余额"), default=0)
    earned = models.PositiveIntegerField(_("累计获得积分"), default=0)
    hours = models.DecimalField(
        _("累计服务时长（小时）"), max_digits=8, decimal_places=1, default=0
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="point_balance_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="service_hours_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.balance}"


class PointEntry(models.Model):
    """One credit (+) or debit (−) of a person's points, never changed or deleted:
    a correction is a new entry (`reverses` names the one it undoes), and so are a
    refund and an expiry. `balance_after` is the balance this entry left."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务积分")
        REDEMPTION = "redemption", _("兑换权益")
        REFUND = "refund", _("取消兑换退回")
        CORRECTION = "correction", _("更正")
        EXPIRY = "expiry", _("积分过期")

    account = models.ForeignKey(
        PointAccount,
        verbose_name=_("积分账户"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    amount = models.IntegerField(_("积分变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    hours = models.DecimalField(
        _("服务时长变动"), max_digits=6, decimal_places=1, default=0
    )
    service_record = models.ForeignKey(
        "volunteers.ServiceRecord",
        verbose_name=_("服务记录"),
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    redemption = models.ForeignKey(
        "volunteers.Redemption",
        verbose_name=_("兑换"),
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        on_delete=models.PROTECT,
        related_name="reversed_by",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) | ~Q(hours=0), name="point_entry_moves_something"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="point_entry_leaves_no_debt"
            ),
            # One service credit per record and one debit per redemption: a retried
            # approval or redemption cannot credit or charge twice.
            models.UniqueConstraint(
                fields=["service_record"],
                condition=Q(kind="service"),
                name="one_credit_per_service_record",
            ),
            models.UniqueConstraint(
                fields=["redemption", "kind"],
                condition=Q(redemption__isnull=False),
                name="one_entry_of_a_kind_per_redemption",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "created_at"], name="point_entry_account"),
            models.Index(fields=["kind", "created_at"], name="point_entry_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once. Corrections are new entries.
        if self.pk is not None and not self._state.adding:
            raise ValueError("PointEntry is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("PointEntry is append-only")
