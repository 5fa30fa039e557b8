from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from school.blocks import SchoolBodyBlock

prefix_validator = RegexValidator(
    regex=r"^[A-Z]{2,8}$",
    message=_("证书编号前缀须为 2–8 位大写英文字母，例如 WGXX。"),
)


def children_of(page: Page, model: type[Page] = Page):
    """The `model` pages directly below `page`, as Wagtail's child_of finds them but
    without the conditions that only its descendant_of needs (they cost more to
    build than the query takes to run): routing asks this on every page view."""
    return model.objects.filter(path__startswith=page.path, depth=page.depth + 1)


class ViewRestrictionsInOneQueryMixin:
    """For page models: Page.get_view_restrictions, which Wagtail checks on every
    view of a page, in one query instead of two."""

    def get_view_restrictions(self):
        """The restrictions on this page or an ancestor, an alias counting as its
        source page, as Wagtail's: the ancestors are found by their paths, each a
        prefix of this page's own. (An alias has no restrictions of its own.)"""
        steps = range(self.steplen, len(self.path) + 1, self.steplen)
        paths = [self.path[:end] for end in steps]
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths) | Q(page__aliases__path__in=paths)
        ).distinct()


class SchoolPage(ViewRestrictionsInOneQueryMixin, Page):
    """The home page of one school (网格学校 or 志愿者培训学院) and its settings.

    The Grid School is the site's root page; the Volunteer Academy sits directly
    under it. Settings that belong to one school (display name, certificate prefix,
    seal, principal) live on its page, so each school edits its own in the admin.
    """

    class Kind(models.TextChoices):
        GRID_SCHOOL = "grid_school", _("网格学校")
        VOLUNTEER_ACADEMY = "volunteer_academy", _("志愿者培训学院")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    tagline = models.CharField(_("标语"), max_length=120, blank=True)
    intro = models.TextField(_("简介"), blank=True)
    body = StreamField(SchoolBodyBlock(), verbose_name=_("正文"), blank=True)

    display_name = models.CharField(
        _("显示名称"),
        max_length=60,
        help_text=_("印在证书和页面上的学校全称，例如「某某区网格学校」。"),
    )
    certificate_prefix = models.CharField(
        _("证书编号前缀"),
        max_length=8,
        unique=True,
        validators=[prefix_validator],
        help_text=_("证书编号的开头，例如 WGXX-2026-JC-000123 中的 WGXX。"),
    )
    seal_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("公章图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    principal_name = models.CharField(_("校长姓名"), max_length=50, blank=True)
    late_credit = models.PositiveSmallIntegerField(
        _("迟到计入出勤（%）"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "一次迟到按百分之几的出勤计算出勤率：100 表示等同出勤，0 表示等同缺勤。"
            "修改只影响此后的记录。"
        ),
    )

    # Children are any page type that names SchoolPage as its parent (the course
    # catalogue does), so this app need not know the apps built on it.
    parent_page_types = ["wagtailcore.Page", "school.SchoolPage"]
    max_count = 2

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("tagline"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    school_settings_panels = [
        FieldPanel("display_name"),
        FieldPanel("certificate_prefix"),
        FieldPanel("seal_image"),
        FieldPanel("principal_name"),
        FieldPanel("late_credit"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("内容")),
            ObjectList(school_settings_panels, heading=_("学校设置")),
            ObjectList(Page.promote_panels, heading=_("推广")),
            ObjectList(Page.settings_panels, heading=_("发布设置")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("学校主页")
        verbose_name_plural = _("学校主页")

    @classmethod
    def can_create_at(cls, parent) -> bool:
        # Schools sit at the top of the tree or one level below the Grid School.
        parent = parent.specific
        if isinstance(parent, SchoolPage):
            return super().can_create_at(parent) and parent.depth == 2
        return super().can_create_at(parent)

    def get_context(self, request, *args, **kwargs):
        from school.selectors import school_home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(school_home_context(self, request))
        return context

    def route(self, request, path_components):
        """Page.route, reading only this page's place in the tree (path and depth),
        so that school.routing can start from the root page as the cache holds it;
        and the child read as its own type only if it is the page served: on the way
        further down, only its route() is needed."""
        if not path_components:
            return super().route(request, path_components)
        try:
            child = children_of(self).get(slug=path_components[0])
        except Page.DoesNotExist as error:
            raise Http404 from error
        rest = path_components[1:]
        child = child.specific_deferred if rest else child.specific
        return child.route(request, rest)
