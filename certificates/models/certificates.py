import secrets
from datetime import date

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import AuditEvent


def private_storage():
    """PDFs are served only through views that check who asks (never as media)."""
    return storages["private"]


def new_verification_code() -> str:
    """96 random bits, URL-safe: 16 characters nobody can guess or enumerate."""
    return secrets.token_urlsafe(12)


class CertificateQuerySet(models.QuerySet):
    def for_holder(self, user) -> "CertificateQuerySet":
        return self.filter(holder=user)

    def of_kind(self, kind: str) -> "CertificateQuerySet":
        """Documents of one kind (Certificate.Kind): level rules and reports count
        completions only, not proofs or letters of appointment."""
        return self.filter(kind=kind)

    def valid_on(self, day: date) -> "CertificateQuerySet":
        return self.filter(status=Certificate.Status.VALID).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Certificate(models.Model):
    """An issued certificate or other document of a kind (a certificate of
    completion, a service-record proof, a letter of appointment): a frozen
    snapshot of everything it prints, a number that is never reused and a
    verification code set once. A completion belongs to an enrolment and a
    template, one per pair; revoking changes the status and writes an event,
    never deletes."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("结业证书")
        SERVICE_PROOF = "service_proof", _("志愿服务记录证明")
        APPOINTMENT = "appointment", _("聘书")

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    # What verification shows; "expired" is derived from valid_until.
    class Standing(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤销")

    kind = models.CharField(
        _("类别"), max_length=16, choices=Kind.choices, default=Kind.COMPLETION
    )
    # Only a completion has an enrolment and a template (a check constraint);
    # other kinds are built by the app that issues them and carry a snapshot only.
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
    )
    template = models.ForeignKey(
        "certificates.CertificateTemplate",
        verbose_name=_("证书模板"),
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    school = models.ForeignKey(
        "school.SchoolPage",
        verbose_name=_("签发学校"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    code = models.CharField(
        _("验证码"),
        max_length=32,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    snapshot = models.JSONField(_("证书内容"), editable=False)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    pdf = models.FileField(
        _("PDF 文件"),
        storage=private_storage,
        upload_to="certificates/%Y/%m/",
        max_length=200,
        blank=True,
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "template"],
                condition=Q(kind="completion"),
                name="one_certificate_per_enrollment_and_template",
            ),
            models.CheckConstraint(
                condition=~Q(kind="completion")
                | Q(enrollment__isnull=False, template__isnull=False),
                name="completion_has_enrollment_and_template",
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", revoked_at__isnull=False)
                | Q(status="valid", revoked_at__isnull=True),
                name="certificate_revoked_iff_revocation_date",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.number} · {self.snapshot.get('holder_name', '')}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:verify", args=[self.code])

    @property
    def verification_url(self) -> str:
        """The absolute URL the QR code carries."""
        return settings.SITE_URL.rstrip("/") + self.get_absolute_url()

    def standing(self, today: date | None = None) -> str:
        if self.status == self.Status.REVOKED:
            return self.Standing.REVOKED
        today = today or timezone.localdate()
        if self.valid_until is not None and self.valid_until < today:
            return self.Standing.EXPIRED
        return self.Standing.VALID

    @property
    def title(self) -> str:
        """What the document is called where it is listed: its printed heading,
        else its kind's name."""
        return self.snapshot.get("heading") or str(self.get_kind_display())

    @property
    def is_completion(self) -> bool:
        return self.kind == self.Kind.COMPLETION

    @property
    def revoked_on(self) -> date | None:
        return timezone.localdate(self.revoked_at) if self.revoked_at else None

    def days_left(self, today: date | None = None) -> int | None:
        if self.valid_until is None:
            return None
        return (self.valid_until - (today or timezone.localdate())).days


# Events that happen at most once per certificate.
ONCE_ONLY_EVENTS = ("issued", "emailed", "reminded_60", "reminded_30", "reminded_7")


class CertificateEvent(AuditEvent):
    """The audit trail of a certificate. Issue, e-mail and each expiry reminder can
    happen once per certificate (a unique constraint), so retried jobs repeat none
    of them."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("签发")
        RENDERED = "rendered", _("生成 PDF")
        EMAILED = "emailed", _("发送通知")
        REVOKED = "revoked", _("撤销")
        REINSTATED = "reinstated", _("恢复")
        REMINDED_60 = "reminded_60", _("到期提醒（60 天）")
        REMINDED_30 = "reminded_30", _("到期提醒（30 天）")
        REMINDED_7 = "reminded_7", _("到期提醒（7 天）")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("证书记录")
        verbose_name_plural = _("证书记录")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"],
                condition=Q(kind__in=ONCE_ONLY_EVENTS),
                name="once_only_certificate_events",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.certificate_id}"


class NumberSequence(models.Model):
    """The last serial given out per certificate prefix, year and series (a
    completion's tier, or another document kind: numbering.SERIES_CODES). It only
    moves up, by a conditional UPDATE inside the issuing transaction, so numbers are
    unique and a number printed on a certificate is never given again — also when
    a school takes up a prefix another school once used."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=16)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("证书编号序列")
        verbose_name_plural = _("证书编号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "tier"],
                name="one_sequence_per_prefix_year_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}-{self.tier}: {self.last}"
