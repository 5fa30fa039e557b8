from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses.models.booking import BookableSession, BookableSessionQuerySet


class ClassSessionQuerySet(BookableSessionQuerySet):
    def at_sites(self, sites) -> "ClassSessionQuerySet":
        return self.filter(practice_site__in=sites)


class ClassSession(BookableSession):
    """A dated meeting of a training class (实践课/线上课), online with a meeting
    link or at a practice site, booked through the engine. Only trainees with a
    live enrolment in the class may book it (courses.booking.class_session_refusal).
    `series` ties the sessions created together as one repeating series."""

    training_class = models.ForeignKey(
        "courses.TrainingClass",
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    title = models.CharField(
        _("主题"), max_length=100, blank=True, help_text=_("如“入户走访实操”；可留空。")
    )
    practice_site = models.ForeignKey(
        "school.PracticeSite",
        verbose_name=_("实践教学点"),
        on_delete=models.PROTECT,
        related_name="sessions",
        null=True,
        blank=True,
        help_text=_("留空表示线上场次，须填写会议链接。"),
    )
    meeting_url = models.URLField(_("会议链接"), blank=True)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("讲师"),
        related_name="taught_sessions",
        blank=True,
    )
    notes = models.TextField(_("须知"), blank=True)
    series = models.UUIDField(_("系列"), null=True, blank=True, editable=False)

    objects = ClassSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("实践场次")
        verbose_name_plural = _("实践场次")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["practice_site"], name="class_session_site"),
        ]

    def __str__(self) -> str:
        when = date_format(timezone.localtime(self.starts_at), "Y-m-d H:i")
        return f"{self.training_class} · {when}"

    @property
    def is_online(self) -> bool:
        return self.practice_site_id is None

    @property
    def place(self) -> str:
        if self.practice_site_id is None:
            return str(_("线上"))
        return f"{self.practice_site.name}（{self.practice_site.address}）"
