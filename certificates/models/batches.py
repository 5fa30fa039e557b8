from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models.certificates import private_storage


class CertificateBatch(models.Model):
    """A background job over one training class, started by an administrator:
    issuing certificates to the chosen trainees, or building a ZIP of the class's
    PDFs. Workers move `done` forward; the admin page polls it for progress."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("批量签发")
        ARCHIVE = "archive", _("打包下载")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        FINISHED = "finished", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    training_class = models.ForeignKey(
        "courses.TrainingClass",
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="certificate_batches",
    )
    template = models.ForeignKey(
        "certificates.CertificateTemplate",
        verbose_name=_("证书模板"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    enrollment_ids = models.JSONField(default=list, editable=False)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    archive = models.FileField(
        _("压缩包"),
        storage=private_storage,
        upload_to="certificate-archives/",
        max_length=200,
        blank=True,
    )
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # When the sweep last queued the batch's missing work again (a worker lost
    # mid-chunk): with its certificates' times, what tells a stalled batch.
    resumed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("证书批处理")
        verbose_name_plural = _("证书批处理")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.training_class_id}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        return min(100, round(100 * (self.done + self.failed) / self.total))
