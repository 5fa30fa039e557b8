from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person in their 消息中心, written once per `key` (the job
    that writes it may run twice); the other channels (e-mail, later SMS or
    WeChat) deliver this row, each at most once (NotificationDelivery)."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("预约")
        WAITLIST_PROMOTED = "waitlist_promoted", _("候补转正")
        REMINDER = "reminder", _("场次提醒")
        CERTIFICATE = "certificate", _("证书")
        PROMOTION = "promotion", _("晋级")
        NOTICE = "notice", _("公示")
        REDEMPTION = "redemption", _("兑换")
        ACTIVITY = "activity", _("社区活动")
        OTHER = "other", _("其他")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    key = models.CharField(_("去重键"), max_length=120)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="one_notification_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["recipient", "-created_at"], name="notification_newest"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationDelivery(models.Model):
    """A notification handed to one outside channel (e-mail, SMS, ...): claimed
    before sending and withdrawn if sending fails, so it is sent at most once."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=32)
    delivered_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="one_delivery_per_notification_and_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.channel}"
