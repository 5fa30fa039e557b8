"""The ladder 居民 › 志愿者 › 社区能人 › 社区主理人: the rule for each step, the
promotions that move people up it (automatic, or by application and review, then
public notice 公示 with objections), the trail of every level change, the reviews a
revoked certificate opens, and recruitment rounds for community managers."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Tier
from school.models import AuditEvent, Level


class LevelRule(models.Model):
    """What it takes to reach `level` from the step below: certificates (of a
    tier, or of named courses), approved service hours, points earned (not the
    balance), months at the previous level; and whether the step is applied for
    and reviewed, and how long a promotion to it stays in public notice."""

    level = models.CharField(
        _("等级"),
        max_length=16,
        choices=[
            (value, label) for value, label in Level.choices if value != Level.RESIDENT
        ],
        unique=True,
    )
    required_tier = models.CharField(
        _("须持有的证书（培训层级）"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        help_text=_("须持有该层级任一课程的有效结业证书；留空表示不要求。"),
    )
    required_courses = models.ManyToManyField(
        "courses.CoursePage",
        verbose_name=_("须完成的课程"),
        related_name="+",
        blank=True,
        help_text=_("须持有这些课程的有效结业证书（全部）。"),
    )
    min_service_hours = models.DecimalField(
        _("累计服务时长（小时）"),
        max_digits=7,
        decimal_places=1,
        default=Decimal("0"),
    )
    min_points_earned = models.PositiveIntegerField(_("累计获得积分"), default=0)
    min_months_at_previous = models.PositiveSmallIntegerField(
        _("在上一等级满（月）"), default=0
    )
    needs_application = models.BooleanField(_("须本人申请"), default=False)
    needs_review = models.BooleanField(_("须管理员审核"), default=False)
    notice_days = models.PositiveSmallIntegerField(
        _("公示天数"), default=0, help_text=_("审核通过后公示的天数；0 表示不公示。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("等级规则")
        verbose_name_plural = _("等级规则")
        ordering = ["level"]

    def __str__(self) -> str:
        return str(self.get_level_display())


class PromotionQuerySet(models.QuerySet):
    def open(self) -> "PromotionQuerySet":
        return self.filter(status__in=Promotion.OPEN_STATUSES)


class Promotion(models.Model):
    """One step up the ladder for one person: automatic steps are effective at
    once; reviewed steps wait for an administrator, then (if the rule says so)
    a public notice during which anyone may object; an objection holds it until
    resolved. Effective: the level changes (LevelEvent) and, for a community
    manager, a letter of appointment is issued once (`letter`)."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("待审核")
        IN_NOTICE = "in_notice", _("公示中")
        ON_HOLD = "on_hold", _("有异议待处理")
        EFFECTIVE = "effective", _("已生效")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("自动晋级")
        APPLICATION = "application", _("本人申请")
        RECRUITMENT = "recruitment", _("招募选拔")

    OPEN_STATUSES = (Status.PENDING_REVIEW, Status.IN_NOTICE, Status.ON_HOLD)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="promotions",
    )
    from_level = models.CharField(_("原等级"), max_length=16, choices=Level.choices)
    to_level = models.CharField(_("晋升等级"), max_length=16, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    statement = models.TextField(_("申请说明"), max_length=1000, blank=True)
    reasons = models.JSONField(_("依据"), default=list, blank=True)
    recruitment_round = models.ForeignKey(
        "volunteers.RecruitmentRound",
        verbose_name=_("招募批次"),
        on_delete=models.PROTECT,
        related_name="promotions",
        null=True,
        blank=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    notice_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    letter = models.OneToOneField(
        "certificates.Certificate",
        verbose_name=_("聘书"),
        on_delete=models.PROTECT,
        related_name="promotion",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("晋级")
        verbose_name_plural = _("晋级")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "to_level"],
                condition=Q(status__in=["pending_review", "in_notice", "on_hold"]),
                name="one_open_promotion_per_step",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "notice_ends_at"], name="promotion_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.get_to_level_display()}"


class Objection(models.Model):
    """An objection to a promotion in public notice (anyone logged in, with a
    reason): it holds the promotion until an administrator upholds it (the
    promotion is rejected) or dismisses it (the notice resumes)."""

    class Resolution(models.TextChoices):
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    promotion = models.ForeignKey(
        Promotion,
        verbose_name=_("晋级"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("异议理由"), max_length=1000)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    resolution = models.CharField(
        _("处理结果"), max_length=16, choices=Resolution.choices, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution_note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "objector"],
                condition=Q(resolution=""),
                name="one_open_objection_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id} · {self.objector}"


class LevelEvent(AuditEvent):
    """Every change of a person's level (and every flag on it): from → to, who,
    when, why. `User.level` changes only in volunteers.levels, which writes one."""

    class Kind(models.TextChoices):
        PROMOTED = "promoted", _("晋级")
        RETIRED = "retired", _("退出")
        DEMOTED = "demoted", _("降级")
        FLAGGED = "flagged", _("待复核")
        CLEARED = "cleared", _("复核通过")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="level_events",
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    from_level = models.CharField(_("原等级"), max_length=16, choices=Level.choices)
    to_level = models.CharField(_("新等级"), max_length=16, choices=Level.choices)
    promotion = models.ForeignKey(
        Promotion,
        verbose_name=_("晋级"),
        on_delete=models.SET_NULL,
        related_name="events",
        null=True,
        blank=True,
    )

    class Meta(AuditEvent.Meta):
        verbose_name = _("等级变动")
        verbose_name_plural = _("等级变动")
        indexes = [
            models.Index(fields=["person", "created_at"], name="level_event_person")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_level} → {self.to_level}"


class LevelReview(models.Model):
    """A level whose basis changed under it (a certificate it rested on was
    revoked): flagged for an administrator, never a silent demotion. Resolved by
    keeping the level or by a demotion."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="level_reviews",
    )
    level = models.CharField(_("等级"), max_length=16, choices=Level.choices)
    certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name=_("被撤销的证书"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution_note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("等级复核")
        verbose_name_plural = _("等级复核")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "certificate"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_review_per_certificate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_level_display()}"


class RecruitmentRound(models.Model):
    """主理人招募: a round with a number of places; volunteers who meet the rule
    apply, an administrator shortlists and selects at most `places` (the counter
    moves by conditional UPDATE under a check constraint), and the selected enter
    public notice."""

    class Status(models.TextChoices):
        OPEN = "open", _("报名中")
        REVIEWING = "reviewing", _("评审中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("批次名称"), max_length=80)
    level = models.CharField(
        _("招募等级"), max_length=16, choices=Level.choices, default=Level.MANAGER
    )
    places = models.PositiveIntegerField(_("名额"))
    selected_count = models.PositiveIntegerField(_("已选"), default=0, editable=False)
    description = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("报名开始"))
    closes_at = models.DateTimeField(_("报名截止"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("招募批次")
        verbose_name_plural = _("招募批次")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(selected_count__lte=F("places")),
                name="round_never_over_its_places",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RoundApplication(models.Model):
    """One volunteer's application to a recruitment round, with a short
    statement; shortlisted, selected (then a Promotion in notice) or not."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已报名")
        SHORTLISTED = "shortlisted", _("入围")
        SELECTED = "selected", _("入选")
        NOT_SELECTED = "not_selected", _("未入选")
        WITHDRAWN = "withdrawn", _("已撤回")

    recruitment_round = models.ForeignKey(
        RecruitmentRound,
        verbose_name=_("招募批次"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        on_delete=models.PROTECT,
        related_name="round_applications",
    )
    statement = models.TextField(_("申请说明"), max_length=1000)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.APPLIED
    )
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("招募报名")
        verbose_name_plural = _("招募报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recruitment_round", "person"], name="one_application_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recruitment_round} · {self.person}"
