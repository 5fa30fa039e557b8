"""Rewards (权益) and who offers them: caring merchants (爱心商户) and partner units
(共建单位), their catalogue with stock, and redemptions with one-time codes. Stock
moves only by conditional UPDATE under a check constraint, as seats do."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import AuditEvent, Level

# One-time codes: no 0/O, 1/I/L, so that a merchant can read one off a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_redemption_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Merchant(models.Model):
    """爱心商户 or 共建单位: offers rewards; its `staff` (merchant accounts) mark
    redemption codes used on their phone page."""

    class Kind(models.TextChoices):
        MERCHANT = "merchant", _("爱心商户")
        PARTNER = "partner", _("共建单位")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.MERCHANT
    )
    org_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("所在社区"),
        on_delete=models.PROTECT,
        related_name="merchants",
        null=True,
        blank=True,
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核销人员"),
        related_name="merchants",
        blank=True,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("商户 / 共建单位")
        verbose_name_plural = _("商户 / 共建单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RewardQuerySet(models.QuerySet):
    def on_offer(self, at=None) -> "RewardQuerySet":
        """Active rewards inside their validity window (stock may be 0)."""
        day = timezone.localdate(at) if at else timezone.localdate()
        return self.filter(is_active=True, merchant__is_active=True).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class Reward(models.Model):
    """权益: what points buy from a merchant or partner unit, against `stock`, at
    most `per_person_limit` times per person, for people at `minimum_level` or
    above (space-use rights and publicity resources: community managers only)."""

    class Category(models.TextChoices):
        GOODS = "goods", _("实物")
        SERVICE = "service", _("服务")
        SPACE_USE = "space_use", _("空间使用权")
        PUBLICITY = "publicity", _("宣传资源")

    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("提供方"),
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    title = models.CharField(_("权益名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    category = models.CharField(
        _("类别"), max_length=16, choices=Category.choices, default=Category.GOODS
    )
    points_cost = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"))
    valid_from = models.DateField(_("开始兑换"), null=True, blank=True)
    valid_until = models.DateField(_("兑换截止"), null=True, blank=True)
    per_person_limit = models.PositiveIntegerField(
        _("每人限兑"), null=True, blank=True, help_text=_("留空表示不限。")
    )
    minimum_level = models.CharField(
        _("最低等级"), max_length=16, choices=Level.choices, default=Level.VOLUNTEER
    )
    code_valid_days = models.PositiveSmallIntegerField(_("兑换码有效天数"), default=30)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("权益")
        verbose_name_plural = _("权益")
        ordering = ["points_cost", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_cost__gte=1), name="reward_costs_points"
            ),
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="reward_stock_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="reward_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RedemptionQuerySet(models.QuerySet):
    def live(self) -> "RedemptionQuerySet":
        """Issued or used: what counts toward a per-person limit."""
        return self.filter(
            status__in=[Redemption.Status.ISSUED, Redemption.Status.USED]
        )


class Redemption(models.Model):
    """A reward bought with points: a one-time `code` the merchant marks used
    once; an unused one may be cancelled (points and stock return) until it
    expires."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("待使用")
        USED = "used", _("已使用")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    reward = models.ForeignKey(
        Reward,
        verbose_name=_("权益"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("兑换人"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    points = models.PositiveIntegerField(_("积分"))
    code = models.CharField(
        _("兑换码"), max_length=16, unique=True, default=new_redemption_code
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )
    created_at = models.DateTimeField(_("兑换时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核销人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = _("兑换记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "reward"], name="redemption_person"),
            models.Index(fields=["status", "expires_at"], name="redemption_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.reward} · {self.code}"


class RedemptionEvent(AuditEvent):
    """The trail of a redemption: issued, used, cancelled, expired."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("兑换")
        USED = "used", _("核销")
        CANCELLED = "cancelled", _("取消")
        EXPIRED = "expired", _("过期")

    redemption = models.ForeignKey(
        Redemption,
        verbose_name=_("兑换记录"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("兑换事件")
        verbose_name_plural = _("兑换事件")
        constraints = [
            models.UniqueConstraint(
                fields=["redemption", "kind"], name="one_redemption_event_of_a_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.redemption_id} · {self.get_kind_display()}"
