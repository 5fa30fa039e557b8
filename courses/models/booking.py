"""The booking engine's data: a bookable session (seats, window, cut-off), its unit
quotas, bookings with their waitlist numbers, and the audit trail of every change.

`BookableSession` knows nothing of courses: a class session (`ClassSession`) is one
kind of it, and a community activity will be another. Its counters move only through
conditional UPDATEs in courses.booking, and check constraints keep them within the
seats, so the database itself refuses an overbooked session.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from school.models import AuditEvent


class BookableSessionQuerySet(models.QuerySet):
    def not_cancelled(self) -> "BookableSessionQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def upcoming(self, at=None) -> "BookableSessionQuerySet":
        return self.not_cancelled().filter(ends_at__gt=at or timezone.now())

    def overlapping(self, starts_at, ends_at) -> "BookableSessionQuerySet":
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class BookableSession(models.Model):
    """A dated meeting with seats that people book: the engine's whole view of a
    session. Confirmed seats are `open_seats_taken` (from the open pool) plus the
    seats taken from unit quotas; `reserved_seats` are held for quotas until they
    are released. The counters are editable only by courses.booking."""

    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    booking_closes_at = models.DateTimeField(
        _("预约截止"),
        help_text=_("截止后学员不能再在线预约或取消，须联系教学点负责人或管理员。"),
    )
    seats = models.PositiveIntegerField(_("座位数"))
    confirmed_count = models.PositiveIntegerField(
        _("已预约"), default=0, editable=False
    )
    open_seats_taken = models.PositiveIntegerField(default=0, editable=False)
    reserved_seats = models.PositiveIntegerField(
        _("预留座位"), default=0, editable=False
    )
    waitlist_issued = models.PositiveIntegerField(default=0, editable=False)
    quota_release_at = models.DateTimeField(
        _("预留座位释放时间"),
        null=True,
        blank=True,
        help_text=_(
            "到此时仍未被认领的预留座位向所有人开放；留空则在预约截止前 24 小时释放。"
        ),
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(
        _("取消时间"), null=True, blank=True, editable=False
    )
    cancel_reason = models.CharField(
        _("取消原因"), max_length=200, blank=True, editable=False
    )
    created_at = models.DateTimeField(
        _("创建时间"), default=timezone.now, editable=False
    )

    objects = BookableSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="session_starts_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="session_has_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_times_are_ordered",
            ),
            models.CheckConstraint(
                condition=Q(booking_closes_at__lte=F("starts_at")),
                name="session_booking_closes_by_start",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("seats")),
                name="session_confirmed_within_seats",
            ),
            models.CheckConstraint(
                condition=Q(open_seats_taken__lte=F("seats") - F("reserved_seats")),
                name="session_open_seats_within_open_pool",
            ),
        ]

    def __str__(self) -> str:
        return date_format(timezone.localtime(self.starts_at), "Y-m-d H:i")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def open_seats_left(self) -> int:
        return max(0, self.seats - self.reserved_seats - self.open_seats_taken)

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.confirmed_count)

    def booking_is_open(self, at=None) -> bool:
        return not self.is_cancelled and (at or timezone.now()) < self.booking_closes_at

    @property
    def calendar_uid(self) -> str:
        """Stable for the life of the session, so calendar apps update, not add."""
        return f"session-{self.pk}@gridschool"


class SeatQuota(models.Model):
    """Seats of a session reserved for the members of an org unit (and the units
    beneath it) until `released_at`; `taken` of them are confirmed bookings."""

    session = models.ForeignKey(
        BookableSession,
        verbose_name=_("场次"),
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    org_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    seats = models.PositiveIntegerField(_("预留座位"))
    taken = models.PositiveIntegerField(_("已使用"), default=0, editable=False)
    released_at = models.DateTimeField(
        _("释放时间"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("单位预留")
        verbose_name_plural = _("单位预留")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "org_unit"], name="one_quota_per_session_and_unit"
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="quota_has_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=Q(taken__lte=F("seats")), name="quota_taken_within_seats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} · {self.seats}"

    @property
    def seats_left(self) -> int:
        return 0 if self.released_at else max(0, self.seats - self.taken)


class BookingQuerySet(models.QuerySet):
    def live(self) -> "BookingQuerySet":
        return self.filter(status__in=Booking.LIVE_STATUSES)

    def confirmed(self) -> "BookingQuerySet":
        return self.filter(status=Booking.Status.CONFIRMED)

    def waitlisted(self) -> "BookingQuerySet":
        return self.filter(status=Booking.Status.WAITLISTED)

    def for_trainee(self, user) -> "BookingQuerySet":
        return self.filter(trainee=user)


class Booking(models.Model):
    """One person's place in a session: a confirmed seat, or a place on the
    waitlist (`queue_number`, first come first served). A cancelled booking stays
    as a record; a new live one may follow it."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已预约")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    class Source(models.TextChoices):
        SELF = "self", _("本人预约")
        STAFF = "staff", _("工作人员代约")
        WALK_IN = "walk_in", _("现场加入")

    LIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    session = models.ForeignKey(
        BookableSession,
        verbose_name=_("场次"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    source = models.CharField(
        _("方式"), max_length=16, choices=Source.choices, default=Source.SELF
    )
    queue_number = models.PositiveIntegerField(_("候补号"), null=True, blank=True)
    quota = models.ForeignKey(
        SeatQuota,
        verbose_name=_("占用预留"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    created_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="one_live_booking_per_trainee_and_session",
            ),
            models.UniqueConstraint(
                fields=["session", "queue_number"],
                condition=Q(queue_number__isnull=False),
                name="one_booking_per_waitlist_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(queue_number__isnull=False),
                name="waitlisted_booking_has_a_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="confirmed_booking_has_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "status"], name="booking_trainee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.session}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES


class BookingEvent(AuditEvent):
    """The audit trail of a booking: who changed it, when, what and why."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("预约成功")
        WAITLISTED = "waitlisted", _("进入候补")
        PROMOTED = "promoted", _("候补转为预约")
        CANCELLED = "cancelled", _("取消预约")
        RELEASED = "released", _("退出培训班，释放预约")
        SESSION_CANCELLED = "session_cancelled", _("场次取消")
        WALK_IN = "walk_in", _("现场加入")
        RESCHEDULED = "rescheduled", _("场次时间或地点变更")
        REMINDED = "reminded", _("已发送提醒")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    # Set when the e-mail about this event was claimed for sending: at most once.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AuditEvent.Meta):
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.booking_id}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private iCalendar address: whoever holds the token reads their
    booked sessions (it authenticates nothing else), and a reset makes the old
    address a 404."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.owner)
