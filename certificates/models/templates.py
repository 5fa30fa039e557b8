import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin, RevisionMixin
from wagtail.search import index

from certificates.blocks import SignatoriesBlock
from courses.models import Tier

# What an administrator may write in a template's body, and what each becomes.
PLACEHOLDERS = {
    "姓名": "holder_name",
    "课程": "course_title",
    "层级": "tier_label",
    "班级": "class_label",
    "学时": "study_hours",
    "开班日期": "starts_on_label",
    "结业日期": "ends_on_label",
    "学校": "school_name",
}

DEFAULT_BODY = (
    "{姓名} 同志于 {开班日期} 至 {结业日期} 参加{学校}「{课程}」{班级}培训，"
    "完成 {学时} 学时的学习，经考核合格，准予结业。特发此证。"
)


class Layout(models.TextChoices):
    """The designed layouts, each a template in templates/certificates/pdf/."""

    CLASSIC = "classic", _("经典红金（横版）")
    MODERN = "modern", _("简约蓝灰（横版）")


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# "{开班日期} 至 {结业日期}" in a body, however it is joined.
ONE_DAY_RANGE = re.compile(r"\{开班日期\}\s*(?:至|到|－|-|—|–|~|～)\s*\{结业日期\}")


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


class CertificateTemplate(PreviewableMixin, RevisionMixin, models.Model):
    """How a school's certificates look and read: a designed layout, editable texts,
    images, signatories and the validity period. Issued certificates keep a frozen
    copy of what they printed, so editing a template changes none of them."""

    name = models.CharField(_("模板名称"), max_length=80)
    school = models.ForeignKey(
        "school.SchoolPage",
        verbose_name=_("所属学校"),
        on_delete=models.PROTECT,
        related_name="certificate_templates",
    )
    tier = models.CharField(
        _("适用层级"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        help_text=_("留空表示适用于本校所有层级的课程。"),
    )
    layout = models.CharField(
        _("版式"), max_length=16, choices=Layout.choices, default=Layout.CLASSIC
    )
    heading = models.CharField(_("证书标题"), max_length=20, default="结业证书")
    body = models.TextField(
        _("证书正文"),
        max_length=400,
        default=DEFAULT_BODY,
        help_text=_(
            "可用占位符：{姓名} {课程} {层级} {班级} {学时} {开班日期} {结业日期} {学校}。"
        ),
    )
    footer_note = models.CharField(_("页脚说明"), max_length=120, blank=True)
    background_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("背景图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signatories = StreamField(
        SignatoriesBlock(),
        verbose_name=_("签发人"),
        blank=True,
        help_text=_("最多三位；留空时使用学校设置中的校长和公章。"),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("有效期（月）"),
        null=True,
        blank=True,
        help_text=_("留空表示长期有效。"),
    )
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后不再用它签发新证书。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("school"),
        FieldPanel("tier"),
        FieldPanel("is_active"),
        MultiFieldPanel(
            [
                FieldPanel("layout"),
                FieldPanel("heading"),
                FieldPanel("body"),
                FieldPanel("footer_note"),
                FieldPanel("background_image"),
            ],
            heading=_("版式和文字"),
        ),
        FieldPanel("signatories"),
        FieldPanel("validity_months"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("证书模板")
        verbose_name_plural = _("证书模板")
        ordering = ["school_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validity_months__isnull=True)
                | models.Q(validity_months__gte=1),
                name="template_validity_is_at_least_a_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        unknown = sorted(set(placeholders_in(self.body)) - set(PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                {
                    "body": _("正文中有未知的占位符：%(names)s")
                    % {"names": "、".join(f"{{{name}}}" for name in unknown)}
                }
            )

    def fill_body(self, values: dict[str, str]) -> str:
        """The body with its placeholders replaced by `values` (keyed by the
        snapshot's names), as plain text. Anything else in braces stays as written."""

        def replace(match: re.Match) -> str:
            key = PLACEHOLDERS.get(match.group(1))
            return str(values.get(key, "")) if key else match.group(0)

        body = self.body
        starts = values.get("starts_on_label")
        if starts and starts == values.get("ends_on_label"):
            # A one-day study period prints one date, not "X 至 X".
            body = ONE_DAY_RANGE.sub("{开班日期}", body)
        return PLACEHOLDER.sub(replace, body)

    @property
    def revision_id(self) -> int | None:
        return self.latest_revision_id

    # Preview: the real PDF, rendered from sample data.
    preview_modes = [("", _("PDF 样张"))]

    def serve_preview(self, request, mode_name):
        from certificates.rendering import preview_response

        return preview_response(self)

    def is_previewable(self) -> bool:
        return True

    def get_preview_context(self, request, mode_name):
        return {"object": self, "now": timezone.now()}
