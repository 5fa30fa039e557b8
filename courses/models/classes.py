from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import AuditEvent


class ClassLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")


class TrainingClassQuerySet(models.QuerySet):
    def open_for_enrolment(self, at=None) -> "TrainingClassQuerySet":
        at = at or timezone.now()
        return self.filter(
            is_active=True, enrol_opens_at__lte=at, enrol_closes_at__gt=at
        )


class TrainingClass(models.Model):
    """培训班（第 N 期）: a dated run of a course with its own seats and window.

    `seats_taken` is the number of active or completed enrolments. It only ever
    moves through conditional UPDATEs in courses.services, and a check constraint
    keeps it within capacity: the last seat goes to exactly one trainee.
    """

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("课程"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    number = models.PositiveSmallIntegerField(_("期数"))
    level = models.CharField(_("班级级别"), max_length=16, choices=ClassLevel.choices)
    capacity = models.PositiveIntegerField(_("名额"))
    seats_taken = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    enrol_opens_at = models.DateTimeField(_("报名开始"))
    enrol_closes_at = models.DateTimeField(_("报名截止"))
    starts_on = models.DateField(_("开班日期"))
    ends_on = models.DateField(_("结业日期"))
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("讲师"),
        related_name="taught_classes",
        blank=True,
    )
    requires_approval = models.BooleanField(
        _("报名需审核"), default=False, help_text=_("勾选后，报名须管理员审核通过。")
    )
    practice_site = models.ForeignKey(
        "school.PracticeSite",
        verbose_name=_("上课地点"),
        on_delete=models.PROTECT,
        related_name="training_classes",
        null=True,
        blank=True,
        help_text=_("留空表示线上班。"),
    )
    absence_warning_at = models.PositiveSmallIntegerField(
        _("缺勤预警次数"),
        default=2,
        help_text=_(
            "学员缺勤达到此次数时，提醒学员和讲师（只提醒一次）；0 表示不提醒。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-starts_on", "course_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="one_class_number_per_course"
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="class_seats_taken_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="class_has_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=Q(enrol_closes_at__gt=F("enrol_opens_at")),
                name="class_enrolment_window_is_ordered",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="class_dates_are_ordered",
            ),
        ]

    def __str__(self) -> str:
        return _("%(course)s（第 %(number)s 期）") % {
            "course": self.course.title,
            "number": self.number,
        }

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def is_online(self) -> bool:
        return self.practice_site_id is None

    def is_enrolment_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_active and self.enrol_opens_at <= at < self.enrol_closes_at


class EnrollmentQuerySet(models.QuerySet):
    def live(self) -> "EnrollmentQuerySet":
        return self.filter(status__in=Enrollment.LIVE_STATUSES)

    def for_trainee(self, user) -> "EnrollmentQuerySet":
        return self.filter(trainee=user)


class Enrollment(models.Model):
    """A trainee in a training class. Active and completed enrolments hold a seat;
    a pending one (awaiting approval) does not."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("学习中")
        COMPLETED = "completed", _("已结业")
        WITHDRAWN = "withdrawn", _("已退出")
        REJECTED = "rejected", _("未通过审核")

    LIVE_STATUSES = (Status.PENDING, Status.ACTIVE, Status.COMPLETED)
    SEAT_STATUSES = (Status.ACTIVE, Status.COMPLETED)

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("结业时间"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("上次学习"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["-created_at"]
        permissions = [("view_full_phone", _("可查看花名册中的完整手机号"))]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "trainee"],
                condition=Q(status__in=["pending", "active", "completed"]),
                name="one_live_enrollment_per_trainee_and_class",
            ),
            models.CheckConstraint(
                condition=Q(status="completed", completed_at__isnull=False)
                | ~Q(status="completed"),
                name="completed_enrollment_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.training_class}"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES


class EnrollmentEvent(AuditEvent):
    """The audit trail of an enrolment: every state change, who made it, and why."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("报名成功")
        REQUESTED = "requested", _("提交报名申请")
        APPROVED = "approved", _("审核通过")
        REJECTED = "rejected", _("审核未通过")
        WITHDRAWN = "withdrawn", _("退出")
        COMPLETED = "completed", _("结业")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")
        constraints = [
            # Completion happens once: the event that says so can exist only once.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(kind="completed"),
                name="one_completion_event_per_enrollment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enrollment_id}"
