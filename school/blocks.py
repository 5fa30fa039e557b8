from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading; the level keeps the page outline right for screen readers."""

    text = blocks.CharBlock(label=_("标题"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("级别"),
        choices=[("h2", _("二级标题")), ("h3", _("三级标题"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("标题")
        description = _("分节标题")
        preview_value = {"text": "培训特色", "level": "h2"}


class CalloutBlock(blocks.StructBlock):
    """A highlighted notice: enrolment news, an important reminder."""

    tone = blocks.ChoiceBlock(
        label=_("样式"),
        choices=[("info", _("提示")), ("warning", _("注意"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("标题"), max_length=80, required=False)
    text = blocks.RichTextBlock(label=_("内容"), features=["bold", "italic", "link"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"
        label = _("提示框")
        description = _("醒目的通知或提醒")
        preview_value = {
            "tone": "info",
            "title": "报名提醒",
            "text": "<p>第 3 期基础通识班报名将于下周一开始。</p>",
        }


class FigureBlock(blocks.StructBlock):
    """An image with a caption; the image carries its own alt text."""

    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图注"), max_length=200, required=False)

    class Meta:
        icon = "image"
        template = "blocks/figure_block.html"
        label = _("图片")
        description = _("带图注的图片")


class SchoolBodyBlock(blocks.StreamBlock):
    """What a school's home page may be built from."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        features=["bold", "italic", "link", "ol", "ul"],
        template="blocks/paragraph_block.html",
        icon="pilcrow",
        description=_("一段文字"),
        preview_value="<p>网格学校面向全区网格员和社区工作者开展分层分类培训。</p>",
    )
    callout = CalloutBlock()
    figure = FigureBlock()

    class Meta:
        block_counts = {}
