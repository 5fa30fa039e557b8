"""Community activities: the spaces a community lends (社区空间), the activities its
community managers run in them (夜校, 工坊, 讲座), and their dated sessions, which
residents book through the courses booking engine like any other session.

A space is not a practice site: a practice site belongs to a school and hosts
class sessions side by side up to its capacity, while a community space belongs
to a community, is lent by its staff, opens at set hours, and holds one activity
at a time. An activity proposed by a manager (on a redeemed space-use right, or
asking the staff for a grant) holds no time in its space until the space's staff
approve it; approval refuses a time already taken.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from courses.models.booking import BookableSession, BookableSessionQuerySet
from school.models import AuditEvent, Level


class CommunitySpace(ClusterableModel):
    """A room a community lends for activities: its capacity, when it is open
    (OpeningHours) and the staff who approve its use."""

    class Kind(models.TextChoices):
        ACTIVITY_ROOM = "activity_room", _("活动室")
        MEETING_ROOM = "meeting_room", _("会议室")
        KITCHEN = "kitchen", _("共享厨房")
        READING_ROOM = "reading_room", _("书屋")
        HALL = "hall", _("多功能厅")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="spaces",
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.ACTIVITY_ROOM
    )
    address = models.CharField(_("地址"), max_length=200)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    description = models.TextField(_("介绍"), blank=True, max_length=1000)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人员"),
        related_name="staffed_spaces",
        blank=True,
        help_text=_("社区工作人员：审批在本空间举办的活动。"),
    )
    is_active = models.BooleanField(_("开放使用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("社区空间")
        verbose_name_plural = _("社区空间")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="one_space_name_per_community"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="space_holds_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} · {self.name}"


class OpeningHours(models.Model):
    """One stretch of a weekday when the space is open (a day may have several:
    09:00–12:00 and 14:00–21:30)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("周一")
        TUESDAY = 1, _("周二")
        WEDNESDAY = 2, _("周三")
        THURSDAY = 3, _("周四")
        FRIDAY = 4, _("周五")
        SATURDAY = 5, _("周六")
        SUNDAY = 6, _("周日")

    # A ParentalKey so the admin edits a space's hours inline on its own form.
    space = ParentalKey(
        CommunitySpace,
        verbose_name=_("社区空间"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens = models.TimeField(_("开放时间"))
    closes = models.TimeField(_("关闭时间"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="opening_hours_in_order"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6),
                name="opening_hours_weekday",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}—{self.closes:%H:%M}"


class ActivityQuerySet(models.QuerySet):
    def approved(self) -> "ActivityQuerySet":
        return self.filter(status=Activity.Status.APPROVED)

    def pending(self) -> "ActivityQuerySet":
        return self.filter(status=Activity.Status.PENDING)


class Activity(models.Model):
    """A night school, workshop or talk a community manager (or staff) runs in a
    community space, in one or more dated sessions, for an audience: everyone, the
    residents of a community (or street), or people at a level and above."""

    class Kind(models.TextChoices):
        NIGHT_SCHOOL = "night_school", _("夜校")
        WORKSHOP = "workshop", _("工坊")
        TALK = "talk", _("讲座")
        OTHER = "other", _("其他活动")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")
        CANCELLED = "cancelled", _("已取消")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("所有居民")
        COMMUNITY = "community", _("本社区居民")
        LEVEL = "level", _("指定等级及以上")

    class Basis(models.TextChoices):
        RIGHT = "right", _("已兑换的空间使用权")
        GRANT = "grant", _("申请社区工作人员授权")

    title = models.CharField(_("活动名称"), max_length=60)
    kind = models.CharField(
        _("活动类型"), max_length=16, choices=Kind.choices, default=Kind.NIGHT_SCHOOL
    )
    description = models.TextField(_("活动介绍"), max_length=2000)
    space = models.ForeignKey(
        CommunitySpace,
        verbose_name=_("社区空间"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="organised_activities",
    )
    seats = models.PositiveIntegerField(_("名额"))
    audience = models.CharField(
        _("面向"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("面向社区"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    audience_level = models.CharField(
        _("面向等级"), max_length=16, choices=Level.choices, blank=True
    )
    basis = models.CharField(_("使用依据"), max_length=16, choices=Basis.choices)
    right = models.ForeignKey(
        "volunteers.Redemption",
        verbose_name=_("空间使用权"),
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    proposed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="activity_has_seats"
            ),
            models.CheckConstraint(
                condition=~Q(basis="right") | Q(right__isnull=False),
                name="activity_right_given",
            ),
            models.CheckConstraint(
                condition=~Q(audience="community") | Q(audience_unit__isnull=False),
                name="activity_community_audience_named",
            ),
            models.CheckConstraint(
                condition=~Q(audience="level") | ~Q(audience_level=""),
                name="activity_level_audience_named",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("organiser")),
                name="activity_not_decided_by_its_organiser",
            ),
            # A right serves one activity at a time: a rejected or withdrawn
            # proposal gives it back for another.
            models.UniqueConstraint(
                fields=["right"],
                condition=Q(right__isnull=False)
                & Q(status__in=["pending", "approved", "cancelled"]),
                name="one_live_activity_per_right",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "space"], name="activity_status_space"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Approved and not cancelled: its sessions take sign-ups."""
        return self.status == self.Status.APPROVED


class ActivitySessionQuerySet(BookableSessionQuerySet):
    def approved(self) -> "ActivitySessionQuerySet":
        return self.filter(activity__status=Activity.Status.APPROVED)

    def in_space(self, space) -> "ActivitySessionQuerySet":
        return self.filter(activity__space=space)


class ActivitySession(BookableSession):
    """One dated session of an activity, booked through the engine (seats,
    waitlist, cut-off, reminders). `day_minutes` and `evening_minutes` split its
    length at EVENING_FROM (local time), fixed when its time is set, so that the
    utilisation report sums them in the database."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("社区活动"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    day_minutes = models.PositiveIntegerField(_("日间分钟"), default=0)
    evening_minutes = models.PositiveIntegerField(_("夜间分钟"), default=0)

    objects = ActivitySessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动场次")
        verbose_name_plural = _("活动场次")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        when = date_format(timezone.localtime(self.starts_at), "Y-m-d H:i")
        return f"{self.activity.title} · {when}"

    @property
    def place(self) -> str:
        space = self.activity.space
        return f"{space.community.name}{space.name}（{space.address}）"


class ActivityEvent(AuditEvent):
    """The audit trail of an activity: proposal, decision, cancellation, helpers."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("提交申请")
        APPROVED = "approved", _("审批通过")
        REJECTED = "rejected", _("审批未通过")
        WITHDRAWN = "withdrawn", _("撤回申请")
        CANCELLED = "cancelled", _("取消活动")
        SESSION_CANCELLED = "session_cancelled", _("取消场次")
        HELPERS = "helpers", _("登记协助志愿者")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.activity_id}"
