from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from courses.admin_widgets import CompactSelectMultiple, PackedOnceBlockWidget
from courses.blocks import LessonBodyBlock
from school.models import Level, ViewRestrictionsInOneQueryMixin, children_of
from school.wagtail_shortcuts import remember_parent


class Tier(models.TextChoices):
    BASIC = "basic", _("基础通识班")
    SPECIALIST = "specialist", _("专项技能班")
    LEADERSHIP = "leadership", _("领导力提升班")


def route_to_child(parent: Page, child_model, request, path_components):
    """Wagtail's Page.route in one query per level instead of two (a child, then
    its specific row): children of `parent` are `child_model` pages, so they are
    fetched as such. Anything else falls back to Wagtail's own routing."""
    try:
        child = children_of(parent, child_model).get(slug=path_components[0])
    except child_model.DoesNotExist:
        return Page.route(parent, request, path_components)
    return child.route(request, path_components[1:])


class CourseIndexPage(ViewRestrictionsInOneQueryMixin, Page):
    """A school's catalogue: its courses by tier, with filters and search."""

    intro = models.TextField(_("简介"), blank=True)

    parent_page_types = ["school.SchoolPage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("课程目录")
        verbose_name_plural = _("课程目录")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import catalog_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_context(self, request))
        return context

    def route(self, request, path_components):
        if path_components:
            return route_to_child(self, CoursePage, request, path_components)
        return super().route(request, path_components)


class CoursePage(ViewRestrictionsInOneQueryMixin, Page):
    """A course: what it teaches, who may take it, and when it counts as completed.

    Completion rule: every required lesson done, every lesson quiz passed, and
    attendance at or above the threshold of the class's sessions.
    """

    tier = models.CharField(_("培训层级"), max_length=16, choices=Tier.choices)
    summary = models.TextField(_("课程简介"), max_length=500)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objectives = models.TextField(_("学习目标"), blank=True, help_text=_("每行一条。"))
    study_hours = models.DecimalField(
        _("学时"), max_digits=4, decimal_places=1, default=2
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("先修课程"),
        blank=True,
        related_name="required_by",
        help_text=_("须先完成这些课程才能报名。"),
    )
    minimum_level = models.CharField(
        _("最低等级"), max_length=16, choices=Level.choices, default=Level.RESIDENT
    )
    is_featured = models.BooleanField(_("精品课程"), default=False)
    attendance_threshold = models.PositiveSmallIntegerField(
        _("出勤率要求（%）"),
        default=0,
        help_text=_("结业所需的最低出勤率，0 表示不要求。"),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    content_panels = [
        *Page.content_panels,
        FieldPanel("tier"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("objectives"),
        FieldPanel("study_hours"),
        FieldPanel("is_featured"),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites", widget=CompactSelectMultiple),
                FieldPanel("minimum_level"),
                FieldPanel("attendance_threshold"),
            ],
            heading=_("报名与结业条件"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.FilterField("tier"),
        index.FilterField("is_featured"),
    ]

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendance_threshold__lte=100),
                name="course_attendance_threshold_is_a_percentage",
            ),
        ]

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(self, request))
        return context

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        # The lesson with its siblings, in one query: a lesson page shows them all
        # (progress, previous and next), and courses.views.serve_lesson reuses them.
        lessons = list(children_of(self, LessonPage).order_by("path"))
        for lesson in lessons:
            if lesson.slug == path_components[0]:
                remember_parent(lesson, self)
                lesson.live_siblings = [item for item in lessons if item.live]
                return lesson.route(request, path_components[1:])
        return super().route(request, path_components)


class LessonPage(ViewRestrictionsInOneQueryMixin, Page):
    """One lesson of a course. Its body may end in a quiz."""

    body = StreamField(LessonBodyBlock(), verbose_name=_("正文"))
    is_required = models.BooleanField(
        _("必修"), default=True, help_text=_("必修课时须学完才能结业。")
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("预计用时（分钟）"), default=20
    )
    # Stored so that lists of lessons (progress, 我的学习, rosters) read a column
    # instead of loading and parsing every body; kept by save() from the body.
    has_quiz = models.BooleanField(_("含测验"), default=False, editable=False)

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("is_required"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body", widget=PackedOnceBlockWidget(body.stream_block)),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")

    def body_has_quiz(self) -> bool:
        """Whether the body holds a quiz, read from the raw JSON: no block is built."""
        return any(item["type"] == "quiz" for item in self.body.raw_data)

    def save(self, *args, **kwargs):
        # Wagtail publishes a revision by saving the page with the revision's body:
        # has_quiz follows the body whenever the body is written (a draft saved
        # by save_revision writes other fields only, and leaves it alone).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.has_quiz = self.body_has_quiz()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "has_quiz"}
        return super().save(*args, **kwargs)

    @property
    def quiz(self):
        """The quiz block's value, or None. At most one per lesson."""
        for block in self.body:
            if block.block_type == "quiz":
                return block.value
        return None

    def serve(self, request, *args, **kwargs):
        from courses.views import serve_lesson

        return serve_lesson(request, self)
