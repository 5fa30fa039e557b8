"""Service and what it earns: point items (积分事项), the service records volunteers
log and coordinators decide, their audit trail, and which org units each
coordinator (志愿服务协调员) covers."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models.certificates import private_storage
from school.models import AuditEvent


class PointItemQuerySet(models.QuerySet):
    def active_on(self, day) -> "PointItemQuerySet":
        """Items a service on `day` may be logged under."""
        return self.filter(is_active=True).filter(
            Q(active_from__isnull=True) | Q(active_from__lte=day),
            Q(active_until__isnull=True) | Q(active_until__gte=day),
        )


class PointItem(models.Model):
    """积分事项: a kind of service and the points it earns, per occurrence or per
    hour, with optional caps per person per day and per month (points above a cap
    are recorded as capped, not credited)."""

    class Unit(models.TextChoices):
        OCCURRENCE = "occurrence", _("每次")
        HOUR = "hour", _("每小时")

    name = models.CharField(_("事项名称"), max_length=40, unique=True)
    category = models.CharField(_("类别"), max_length=20, blank=True)
    description = models.TextField(_("说明"), blank=True)
    unit = models.CharField(
        _("计分方式"), max_length=16, choices=Unit.choices, default=Unit.OCCURRENCE
    )
    points = models.PositiveIntegerField(
        _("积分"),
        validators=[MinValueValidator(1)],
        help_text=_("每次或每小时的积分。"),
    )
    daily_cap = models.PositiveIntegerField(
        _("每日上限"),
        null=True,
        blank=True,
        help_text=_("每人每天最多计入的积分；留空表示不限。"),
    )
    monthly_cap = models.PositiveIntegerField(
        _("每月上限"),
        null=True,
        blank=True,
        help_text=_("每人每月最多计入的积分；留空表示不限。"),
    )
    active_from = models.DateField(_("生效日期"), null=True, blank=True)
    active_until = models.DateField(_("截止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = PointItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分事项")
        verbose_name_plural = _("积分事项")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=1), name="point_item_earns_points"
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=F("active_from")),
                name="point_item_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CoordinatorScope(models.Model):
    """An org unit (and everything beneath it) whose volunteers' service a
    coordinator decides."""

    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协调员"),
        on_delete=models.CASCADE,
        related_name="coordinator_scopes",
    )
    org_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("负责单位"),
        on_delete=models.CASCADE,
        related_name="coordinator_scopes",
    )

    class Meta:
        verbose_name = _("协调员负责范围")
        verbose_name_plural = _("协调员负责范围")
        constraints = [
            models.UniqueConstraint(
                fields=["coordinator", "org_unit"], name="one_scope_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coordinator} · {self.org_unit}"


class ServiceRecordQuerySet(models.QuerySet):
    def approved(self) -> "ServiceRecordQuerySet":
        return self.filter(status=ServiceRecord.Status.APPROVED)

    def pending(self) -> "ServiceRecordQuerySet":
        return self.filter(status=ServiceRecord.Status.PENDING)


class ServiceRecord(models.Model):
    """One service given by a volunteer: logged by them or by a coordinator,
    approved or rejected by a coordinator who is not the volunteer. Approval
    credits `points_awarded` (and `points_capped` above the item's caps are
    recorded, not credited) and the hours. A record made from a session an
    instructor taught or an activity a manager ran (`source_session`) is
    approved as it is made, once; a helper's record of an activity session is
    pending like any other, and also once per session."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    item = models.ForeignKey(
        PointItem,
        verbose_name=_("积分事项"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(
        _("服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    place = models.CharField(_("服务地点"), max_length=100)
    description = models.TextField(_("服务内容"), max_length=1000)
    # Photos show people and homes: kept in private storage and served only
    # through services:photo, which checks who asks (never as media).
    photo = models.FileField(
        _("照片"),
        upload_to="volunteers/service/%Y/%m/",
        storage=private_storage,
        blank=True,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        related_name="+",
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
    points_awarded = models.PositiveIntegerField(_("计入积分"), default=0)
    points_capped = models.PositiveIntegerField(_("超出上限未计入"), default=0)
    source_session = models.ForeignKey(
        "courses.BookableSession",
        verbose_name=_("来源场次"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("volunteer")),
                name="service_record_not_decided_by_its_volunteer",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=24),
                name="service_record_hours_in_a_day",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "source_session"],
                condition=Q(source_session__isnull=False),
                name="one_teaching_record_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "served_on"], name="service_status_day"),
            models.Index(fields=["volunteer", "served_on"], name="service_volunteer"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.item} · {self.served_on}"


class ServiceRecordEvent(AuditEvent):
    """The trail of a service record: logged, approved, rejected."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("登记")
        APPROVED = "approved", _("通过")
        REJECTED = "rejected", _("未通过")

    record = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("服务记录"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("服务记录事件")
        verbose_name_plural = _("服务记录事件")

    def __str__(self) -> str:
        return f"{self.record_id} · {self.get_kind_display()}"
