"""Attendance and feedback: one record per booking of a session (出勤/迟到/请假/缺勤)
with the credit it earns toward the attendance rate, the history of every change to
it, the warning a trainee gets once for too many absences, a trainee's personal
check-in card, and the ratings trainees give sessions and classes.

Records hang on the engine's `BookableSession` and `Booking`, not on class
sessions, so that community activities take attendance the same way. The credit is
fixed when the mark is made (present 1, late the school's weight, absent 0;
excused is not counted), so rates add up in the database without knowing schools.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import AuditEvent


class AttendanceRecordQuerySet(models.QuerySet):
    def counted(self) -> "AttendanceRecordQuerySet":
        """Records that count toward a rate (an excused absence does not)."""
        return self.exclude(status=AttendanceRecord.Status.EXCUSED)

    def attended(self) -> "AttendanceRecordQuerySet":
        """Present or late: the person was there (人次)."""
        return self.filter(
            status__in=[AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE]
        )


class AttendanceRecord(models.Model):
    """Whether the person holding a booking came to the session: one per booking
    (walk-ins are bookings too). `credit` is what the mark counts toward the rate,
    fixed when it is made; `enrollment` ties a class session's record to the
    enrolment whose completion it decides."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出勤")
        LATE = "late", _("迟到")
        EXCUSED = "excused", _("请假")
        ABSENT = "absent", _("缺勤")

    class Method(models.TextChoices):
        ROSTER = "roster", _("点名")
        SCAN = "scan", _("扫码签到")
        SELF = "self", _("自助签到")

    session = models.ForeignKey(
        "courses.BookableSession",
        verbose_name=_("场次"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    booking = models.OneToOneField(
        "courses.Booking",
        verbose_name=_("预约"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("报名"),
        on_delete=models.CASCADE,
        related_name="attendance",
        null=True,
        blank=True,
    )
    status = models.CharField(_("出勤情况"), max_length=16, choices=Status.choices)
    credit = models.DecimalField(
        _("计入出勤"), max_digits=3, decimal_places=2, default=Decimal("1")
    )
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    marked_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = AttendanceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("出勤记录")
        verbose_name_plural = _("出勤记录")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"], name="one_attendance_per_session"
            ),
            models.CheckConstraint(
                condition=Q(credit__gte=0) & Q(credit__lte=1),
                name="attendance_credit_between_0_and_1",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment"], name="attendance_enrollment"),
            models.Index(fields=["trainee", "session"], name="attendance_trainee"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.get_status_display()}"

    @property
    def is_counted(self) -> bool:
        return self.status != self.Status.EXCUSED


class AttendanceChange(AuditEvent):
    """One change of an attendance record (the first mark too): from → to, who,
    when and why. A correction after the session must give its reason."""

    record = models.ForeignKey(
        AttendanceRecord,
        verbose_name=_("出勤记录"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=AttendanceRecord.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=AttendanceRecord.Status.choices
    )
    method = models.CharField(
        _("方式"), max_length=16, choices=AttendanceRecord.Method.choices
    )

    class Meta(AuditEvent.Meta):
        verbose_name = _("出勤变更")
        verbose_name_plural = _("出勤变更")
        indexes = [models.Index(fields=["record"], name="attendance_change_record")]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.from_status or '-'} → {self.to_status}"


class AbsenceWarning(models.Model):
    """The one warning a trainee (and the class's instructors) get when the
    trainee's absences in a class reach its limit; its row makes the job that
    sends it idempotent."""

    enrollment = models.OneToOneField(
        "courses.Enrollment",
        verbose_name=_("报名"),
        on_delete=models.CASCADE,
        related_name="absence_warning",
    )
    absences = models.PositiveSmallIntegerField(_("缺勤次数"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("缺勤预警")
        verbose_name_plural = _("缺勤预警")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.absences}"


class CheckInCard(models.Model):
    """A person's check-in card, kept only once it has been reset: the card's code
    is derived from the person and `version` (courses.checkin), so everyone has
    one without a row, and a reset (version + 1) retires the old code."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="check_in_card",
    )
    version = models.PositiveIntegerField(_("版本"), default=0)
    reset_at = models.DateTimeField(_("重置时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到卡")
        verbose_name_plural = _("签到卡")

    def __str__(self) -> str:
        return f"{self.person} · {self.version}"


class Feedback(models.Model):
    """课后评价: a person's rating (1–5) and comment on a session they attended (a
    class session or a community activity's), or on a class at its end; one per
    person per session or class, editable for `EDITABLE_FOR` after it is given.
    Instructors and organisers see it without the name."""

    EDITABLE_FOR = timedelta(days=7)

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    session = models.ForeignKey(
        "courses.BookableSession",
        verbose_name=_("场次"),
        on_delete=models.CASCADE,
        related_name="feedback",
        null=True,
        blank=True,
    )
    # The class of a class session's rating, or the class rated; none for a
    # session outside a class (a community activity's).
    training_class = models.ForeignKey(
        "courses.TrainingClass",
        verbose_name=_("培训班"),
        on_delete=models.CASCADE,
        related_name="feedback",
        null=True,
        blank=True,
    )
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("意见和建议"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("课后评价")
        verbose_name_plural = _("课后评价")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "session"],
                condition=Q(session__isnull=False),
                name="one_feedback_per_session",
            ),
            models.UniqueConstraint(
                fields=["trainee", "training_class"],
                condition=Q(session__isnull=True),
                name="one_feedback_per_class",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5),
                name="feedback_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(session__isnull=False) | Q(training_class__isnull=False),
                name="feedback_rates_a_session_or_a_class",
            ),
        ]
        indexes = [
            models.Index(fields=["training_class"], name="feedback_class"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class or self.session} · {self.score}"

    @property
    def editable_until(self):
        return self.created_at + self.EDITABLE_FOR

    @property
    def is_satisfied(self) -> bool:
        """满意: a 4 or a 5."""
        return self.score >= 4
