from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import actor_field


class TraineeImport(models.Model):
    """One successful trainee import: who loaded which file and what it changed.

    The audit trail of bulk account creation; a failed file writes nothing, not even
    this row.
    """

    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    actor = actor_field()
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


class ActivationCodeQuerySet(models.QuerySet):
    def live(self, at=None) -> "ActivationCodeQuerySet":
        """Codes that can still activate: not used, not voided, not expired."""
        from django.utils import timezone

        return self.filter(
            used_at__isnull=True,
            voided_at__isnull=True,
            expires_at__gt=at or timezone.now(),
        )


class ActivationCode(models.Model):
    """A one-time code with which an imported person sets their own password.

    An import knows a person's phone, name and community: public facts, so none of
    them may claim the account. The administrator hands each person this code
    (printed on a slip or in a spreadsheet); it expires, works once, and is voided
    after too many wrong guesses or when a new one is made. Stored encrypted
    (school.encryption), so that the administrator can print it again while it is
    live, and a database dump alone does not hand out accounts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="activation_codes",
    )
    code_encrypted = models.TextField(_("激活码（加密）"), editable=False)
    trainee_import = models.ForeignKey(
        TraineeImport,
        verbose_name=_("导入记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activation_codes",
    )
    created_by = actor_field(_("生成人"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                name="one_open_activation_code_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d}"
