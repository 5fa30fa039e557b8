import unicodedata

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_phone(value: str) -> str:
    """A phone number as stored: full-width digits (１３８…, common in Chinese
    spreadsheets and input methods) made ASCII, spaces and hyphens dropped, and a
    +86 / 0086 country prefix removed. Forms and the import both use this."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(value.split()).replace("-", "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            return value[len(prefix) :]
    return value


phone_validator = RegexValidator(
    regex=r"^1[3-9][0-9]{9}$",
    message=_("请输入 11 位中国大陆手机号码，例如 13800138000。"),
)


class Level(models.TextChoices):
    """The growth ladder. Order matters: later means higher."""

    RESIDENT = "resident", _("居民")
    VOLUNTEER = "volunteer", _("志愿者")
    TALENT = "talent", _("社区能人")
    MANAGER = "manager", _("社区主理人")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone: str, password: str | None, **extra_fields):
        if not phone:
            raise ValueError("A user needs a phone number.")
        user = self.model(phone=phone, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("real_name", "系统管理员")
        return self._create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: trainee, instructor, site host or administrator.

    Logs in with a mobile number. Holds only what the schools need: no national ID
    number, no birth date. The current level is kept here; how it changes is the
    volunteers app's business.
    """

    phone = models.CharField(
        _("手机号"),
        max_length=11,
        unique=True,
        validators=[phone_validator],
        error_messages={"unique": _("该手机号已注册。")},
    )
    real_name = models.CharField(_("姓名"), max_length=50)
    email = models.EmailField(_("电子邮箱"), blank=True)
    org_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("所属社区/网格"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    level = models.CharField(
        _("等级"), max_length=16, choices=Level.choices, default=Level.RESIDENT
    )
    is_staff = models.BooleanField(
        _("可进入管理后台"),
        default=False,
        help_text=_("允许此用户登录管理后台。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    # Which 个人信息保护说明 the person accepted, and when (sign-up or activation);
    # blank for an imported account whose owner has not activated it yet.
    privacy_consent_version = models.CharField(
        _("同意的个人信息保护说明版本"), max_length=20, blank=True
    )
    privacy_consented_at = models.DateTimeField(
        _("同意个人信息保护说明的时间"), null=True, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["phone"]

    def __str__(self) -> str:
        return f"{self.real_name}（{self.masked_phone}）"

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name

    @property
    def masked_phone(self) -> str:
        """138****8000: enough to recognise, not enough to call."""
        if len(self.phone) != 11:
            return self.phone
        return f"{self.phone[:3]}****{self.phone[-4:]}"
