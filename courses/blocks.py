"""StreamField blocks for lessons. The quiz's answers live here and are never
rendered: templates show questions and choices only; scoring happens on the server."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from school.blocks import CalloutBlock, FigureBlock, HeadingBlock


class VideoBlock(blocks.StructBlock):
    """A video: an uploaded file (served locally) or an embed from a video site."""

    file = DocumentChooserBlock(label=_("视频文件"), required=False)
    embed = EmbedBlock(label=_("外部视频链接"), required=False)
    caption = blocks.CharBlock(label=_("说明"), required=False, max_length=200)

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"
        label = _("视频")
        description = _("上传的视频文件或外部视频链接")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file") and not value.get("embed"):
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("请上传视频文件或填写视频链接。"))
                }
            )
        return value


class DownloadBlock(blocks.StructBlock):
    """A document trainees may download: a handout, a form, slides."""

    document = DocumentChooserBlock(label=_("文件"))
    title = blocks.CharBlock(label=_("显示名称"), required=False, max_length=120)

    class Meta:
        icon = "doc-full"
        template = "blocks/download_block.html"
        label = _("下载资料")
        description = _("供学员下载的讲义、表格或课件")


class ChoiceOptionBlock(blocks.StructBlock):
    """One option of a question: its text and whether it is a right answer. Shown
    on one line in the editor (static/courses/admin/quiz-editor.css)."""

    text = blocks.CharBlock(label=_("选项"), max_length=200)
    is_correct = blocks.BooleanBlock(label=_("正确答案"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("选项")
        form_classname = "struct-block quiz-choice"


class QuestionBlock(blocks.StructBlock):
    """A single- or multiple-choice question with its options and an optional
    explanation shown after an attempt."""

    prompt = blocks.CharBlock(label=_("题目"), max_length=500)
    multiple = blocks.BooleanBlock(
        label=_("多选题"), required=False, help_text=_("不勾选为单选题。")
    )
    # A new question starts with two empty options, the fewest it may have.
    choices = blocks.ListBlock(
        ChoiceOptionBlock(),
        label=_("选项"),
        min_num=2,
        default=[{"text": "", "is_correct": False}] * 2,
        form_classname="quiz-choices",
    )
    explanation = blocks.TextBlock(
        label=_("解析"),
        required=False,
        max_length=1000,
        help_text=_("作答后给学员看的说明（测验设为“显示对错和解析”时显示）。"),
    )

    class Meta:
        icon = "help"
        label = _("题目")

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["is_correct"])
        if correct == 0:
            raise StructBlockValidationError(
                block_errors={"choices": ValidationError(_("至少要有一个正确答案。"))}
            )
        if correct > 1 and not value["multiple"]:
            raise StructBlockValidationError(
                block_errors={
                    "multiple": ValidationError(_("单选题只能有一个正确答案。"))
                }
            )
        return value


class QuizFeedback:
    """What a trainee is shown of each question after an attempt, as the author
    chose: nothing, whether it was right, or that and the question's explanation."""

    NONE = "none"
    CORRECTNESS = "correctness"
    EXPLAINED = "explained"
    CHOICES = [
        (NONE, _("不显示")),
        (CORRECTNESS, _("显示每题对错")),
        (EXPLAINED, _("显示每题对错和解析")),
    ]


class QuizBlock(blocks.StructBlock):
    """A quiz at the end of a lesson: pass mark, attempts and the feedback given
    after each attempt; passing it closes it, and the lesson is done only then."""

    title = blocks.CharBlock(label=_("测验名称"), max_length=120, default="课后测验")
    pass_mark = blocks.IntegerBlock(
        label=_("及格分"), min_value=0, max_value=100, default=60, help_text=_("百分制")
    )
    max_attempts = blocks.IntegerBlock(
        label=_("可作答次数"), min_value=1, max_value=20, default=3
    )
    feedback = blocks.ChoiceBlock(
        label=_("作答后的反馈"),
        choices=QuizFeedback.CHOICES,
        default=QuizFeedback.CORRECTNESS,
        help_text=_("每次作答后，学员能看到的每题结果。正确选项不会显示。"),
    )
    questions = blocks.ListBlock(QuestionBlock(), label=_("题目"), min_num=1)

    class Meta:
        icon = "tasks"
        template = "blocks/quiz_block.html"
        label = _("测验")
        description = _("单选题和多选题，设及格分和作答次数")
        preview_value = {
            "title": "课后测验",
            "pass_mark": 60,
            "max_attempts": 3,
            "feedback": QuizFeedback.CORRECTNESS,
            "questions": [
                {
                    "prompt": "志愿服务的基本原则是？",
                    "multiple": False,
                    "choices": [
                        {"text": "自愿、无偿、平等、诚信、合法", "is_correct": True},
                        {"text": "有偿、强制", "is_correct": False},
                    ],
                }
            ],
        }


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        features=["h3", "bold", "italic", "link", "ol", "ul", "document-link"],
        template="blocks/paragraph_block.html",
        icon="pilcrow",
        description=_("一段文字"),
    )
    image = ImageBlock(label=_("图片"), template="blocks/image_block.html")
    figure = FigureBlock()
    video = VideoBlock()
    download = DownloadBlock()
    callout = CalloutBlock()
    quiz = QuizBlock()

    class Meta:
        block_counts = {"quiz": {"max_num": 1}}


def correct_answers(quiz) -> dict[str, list[int]]:
    """The right choices of each question of a quiz block's value, keyed as a
    trainee's answers are ("q<index>"): what scoring and feedback both compare."""
    return {
        f"q{index}": [
            i for i, choice in enumerate(question["choices"]) if choice["is_correct"]
        ]
        for index, question in enumerate(quiz["questions"])
    }
