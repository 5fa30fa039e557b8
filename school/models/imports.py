from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TraineeImport(models.Model):
    """One successful trainee import: who loaded which file and what it changed.

    The audit trail of bulk account creation; a failed file writes nothing, not even
    this row.
    """

    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("行数"))
    created = models.PositiveIntegerField(_("新建"))
    updated = models.PositiveIntegerField(_("更新"))
    unchanged = models.PositiveIntegerField(_("未变"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学员导入记录")
        verbose_name_plural = _("学员导入记录")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"
