from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.search import index


class PracticeSiteQuerySet(models.QuerySet):
    def active(self) -> "PracticeSiteQuerySet":
        return self.filter(is_active=True)

    def hosted_by(self, user) -> "PracticeSiteQuerySet":
        return self.filter(hosts=user)


class PracticeSite(index.Indexed, models.Model):
    """现场实践教学点: a place where practice sessions are held, run by its hosts."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200)
    org_unit = models.ForeignKey(
        "school.OrgUnit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="practice_sites",
    )
    capacity = models.PositiveIntegerField(
        _("座位数"), help_text=_("一场实践教学最多可容纳的人数。")
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        related_name="hosted_sites",
        blank=True,
    )
    opening_notes = models.TextField(
        _("开放说明"), blank=True, help_text=_("开放时间、交通、注意事项等。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = PracticeSiteQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("address"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("现场实践教学点")
        verbose_name_plural = _("现场实践教学点")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1),
                name="practice_site_has_at_least_one_seat",
            ),
        ]

    def __str__(self) -> str:
        return self.name
