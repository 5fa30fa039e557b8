from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    """A lesson an enrolled trainee has finished. Keyed by the lesson page, so editing
    a published course keeps everyone's progress."""

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="one_progress_row_per_lesson"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.lesson_id}"


class QuizAttempt(models.Model):
    """One submission of a lesson's quiz. The best score counts; answers are kept so
    the instructor can review them."""

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("第几次"))
    score = models.PositiveSmallIntegerField(_("得分"))
    passed = models.BooleanField(_("及格"))
    answers = models.JSONField(_("作答"), default=dict)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测验作答")
        verbose_name_plural = _("测验作答")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson", "number"],
                name="attempt_numbers_are_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="quiz_score_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.lesson_id} #{self.number}: {self.score}"


class QuizAttemptGrant(models.Model):
    """Extra attempts at one lesson's quiz for one enrolment, granted by an
    instructor or administrator once the quiz's own attempts are used up. The row
    is the event: who granted how many, when and why. submit_quiz adds them up."""

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="quiz_grants"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="+"
    )
    extra = models.PositiveSmallIntegerField(_("增加次数"))
    reason = models.CharField(_("原因"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测验加次")
        verbose_name_plural = _("测验加次")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extra__gte=1) & models.Q(extra__lte=10),
                name="quiz_grant_is_one_to_ten_attempts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.lesson_id} +{self.extra}"
