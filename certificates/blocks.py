from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class SignatoryBlock(blocks.StructBlock):
    """One person who signs a certificate, with the seal printed over the name."""

    name = blocks.CharBlock(label=_("姓名"), max_length=30)
    title = blocks.CharBlock(label=_("职务"), max_length=40)
    seal = ImageChooserBlock(
        label=_("印章"), required=False, help_text=_("透明背景的 PNG 效果最好。")
    )

    class Meta:
        icon = "user"
        label = _("签发人")
        template = "certificates/pdf/signatory_block.html"
        description = _("证书落款处的签发人姓名、职务和印章。")
        preview_value = {"name": "王建国", "title": "校长"}


class SignatoriesBlock(blocks.StreamBlock):
    signatory = SignatoryBlock()

    class Meta:
        max_num = 3
