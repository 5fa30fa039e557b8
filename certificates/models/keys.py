from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """A school's Ed25519 key for signing Open Badges credentials. The public half
    is published with the school's issuer profile; a retired key stays published so
    that credentials it signed still verify. The private half is stored encrypted
    (school.encryption): a copy of the database alone cannot sign."""

    school = models.ForeignKey(
        "school.SchoolPage",
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    private_key_encrypted = models.TextField(editable=False)
    public_key_multibase = models.CharField(max_length=80, unique=True, editable=False)
    is_active = models.BooleanField(_("使用中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(is_active=True),
                name="one_active_signing_key_per_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} · {self.public_key_multibase[:16]}…"
