"""A school's catalogue: course cards with this person's verdict on each, the
filters, search and cover images."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.images.models import Filter

from courses.models import ClassLevel, CourseIndexPage, CoursePage, Tier, TrainingClass
from courses.permissions import EnrollmentStanding, class_refusal, course_refusal
from courses.selectors.page_urls import descendant_urls
from courses.selectors.standing import current_classes, standing_for
from school.models import Level

CATALOG_PAGE_SIZE = 12
COVER_SPEC = "fill-480x270"
SEARCH_MAX_TERMS = 5


@dataclass(frozen=True)
class CourseVerdict:
    """What a course card tells this person. `state` is one of open, login,
    enrolled, completed, refused; `reason` says why not, in Chinese."""

    state: str
    reason: str = ""
    training_class: TrainingClass | None = None

    @property
    def may_enrol(self) -> bool:
        return self.state == "open"


def _class_rank(training_class: TrainingClass, at: datetime) -> int:
    # Which refused class explains the course best: a full one, then one not yet
    # open, then one whose enrolment has closed.
    if training_class.enrol_opens_at <= at < training_class.enrol_closes_at:
        return 0
    return 1 if at < training_class.enrol_opens_at else 2


def course_verdict(
    course,
    standing: EnrollmentStanding,
    prerequisites: list,
    classes: list[TrainingClass],
    *,
    at: datetime,
) -> CourseVerdict:
    """May this person enrol in some class of the course now, and if not, the reason
    that matters most. Pure: every fact is passed in (the course and prerequisites
    as anything with pk, title and minimum_level), so a page of cards costs no
    query per course."""
    if any(c.pk in standing.live_class_ids for c in classes):
        return CourseVerdict("enrolled", _("您已报名该课程"))
    if course.pk in standing.completed_course_ids:
        return CourseVerdict("completed", _("您已完成该课程"))
    if standing.authenticated:
        refusal = course_refusal(course, standing, prerequisites)
        if refusal:
            return CourseVerdict("refused", refusal)
    for training_class in classes:
        if class_refusal(training_class, standing, at=at) is None:
            state = "open" if standing.authenticated else "login"
            reason = "" if standing.authenticated else _("登录后报名")
            return CourseVerdict(state, reason, training_class)
    if not classes:
        return CourseVerdict("refused", _("暂无开班计划"))
    best = min(classes, key=lambda c: (_class_rank(c, at), c.enrol_opens_at))
    return CourseVerdict("refused", class_refusal(best, standing, at=at) or "", best)


@dataclass(frozen=True)
class PrerequisiteRef:
    """A prerequisite as a card needs it (course_refusal reads pk and title)."""

    pk: int
    title: str


@dataclass(frozen=True)
class CourseSummary:
    """A course as its catalogue card needs it, read as a row rather than a page
    (a thousand-course catalogue pays for twelve of these, not twelve pages)."""

    pk: int
    title: str
    url: str | None
    tier: str
    summary: str
    study_hours: Decimal
    minimum_level: str
    is_featured: bool


@dataclass(frozen=True)
class CourseCard:
    """One course in the catalogue, with everything its card shows worked out once:
    the verdict, the prerequisites, the cover's rendition and the labels."""

    course: CourseSummary
    verdict: CourseVerdict
    prerequisites: list[PrerequisiteRef]
    cover: object | None  # a rendition of COVER_SPEC

    @property
    def tier_label(self) -> str:
        return Tier(self.course.tier).label

    @property
    def meta_label(self) -> str:
        hours = f"{self.course.study_hours.normalize():f}"
        label = _("%(hours)s 学时") % {"hours": hours}
        if self.course.minimum_level != Level.RESIDENT:
            label += " · " + _("需「%(level)s」及以上") % {
                "level": Level(self.course.minimum_level).label
            }
        return label

    @property
    def prerequisites_label(self) -> str:
        return "".join(
            f"《{prerequisite.title}》" for prerequisite in self.prerequisites
        )

    @property
    def class_label(self) -> str:
        training_class = self.verdict.training_class
        if training_class is None:
            return ""
        label = _("第 %(number)s 期 · %(level)s · %(starts)s 开班") % {
            "number": training_class.number,
            "level": ClassLevel(training_class.level).label,
            "starts": f"{training_class.starts_on:%Y-%m-%d}",
        }
        if self.verdict.state in ("open", "login"):
            label += " · " + _("余 %(seats)s 个名额") % {
                "seats": training_class.seats_left
            }
        return label


def _covers(image_ids: set[int]) -> dict[int, object]:
    """The COVER_SPEC rendition of each image, chosen as Image.get_rendition
    chooses it (same spec, and the focal point key Wagtail's Filter works out from
    the image), from one query for them all: the renditions with their images.
    An image without one yet gets it made the usual way, once.

    (Image.prefetch_renditions, the public way, reads the images and then their
    renditions: a thirteenth query on the catalogue, and no faster.)"""
    if not image_ids:
        return {}
    cover_filter = Filter(spec=COVER_SPEC)
    image_model = get_image_model()
    found = {
        rendition.image_id: rendition
        for rendition in image_model.get_rendition_model()
        .objects.filter(image_id__in=image_ids, filter_spec=COVER_SPEC)
        .select_related("image")
        if rendition.focal_point_key == cover_filter.get_cache_key(rendition.image)
    }
    missing = image_ids - found.keys()
    if missing:
        for image in image_model.objects.filter(pk__in=missing):
            found[image.pk] = image.get_rendition(COVER_SPEC)
    return found


# A course card's row: the CourseSummary's fields (url_path for url), and the cover.
_CARD_FIELDS = (
    "pk",
    "title",
    "url_path",
    "tier",
    "summary",
    "study_hours",
    "minimum_level",
    "is_featured",
    "cover_image_id",
)


def _cards(
    card_rows: list[dict], standing: EnrollmentStanding, at: datetime, url_of
) -> list[CourseCard]:
    """Cards for one page of courses (rows of _CARD_FIELDS, in page order): with
    their covers' renditions, current classes and prerequisites — three queries for
    the page, none per course."""
    course_ids = [row["pk"] for row in card_rows]
    covers = _covers({row["cover_image_id"] for row in card_rows} - {None})
    classes: dict[int, list[TrainingClass]] = defaultdict(list)
    for training_class in (
        current_classes(at)
        .filter(course_id__in=course_ids)
        .order_by("starts_on", "number")
    ):
        classes[training_class.course_id].append(training_class)
    prerequisites: dict[int, list[PrerequisiteRef]] = defaultdict(list)
    for row in (
        CoursePage.prerequisites.through.objects.filter(
            from_coursepage_id__in=course_ids
        )
        .order_by("to_coursepage__path")
        .values("from_coursepage_id", "to_coursepage_id", "to_coursepage__title")
    ):
        prerequisites[row["from_coursepage_id"]].append(
            PrerequisiteRef(
                pk=row["to_coursepage_id"], title=row["to_coursepage__title"]
            )
        )
    cards = []
    for row in card_rows:
        course = CourseSummary(
            pk=row["pk"],
            title=row["title"],
            url=url_of(row["url_path"]),
            tier=row["tier"],
            summary=row["summary"],
            study_hours=row["study_hours"],
            minimum_level=row["minimum_level"],
            is_featured=row["is_featured"],
        )
        required = prerequisites[course.pk]
        cards.append(
            CourseCard(
                course=course,
                verdict=course_verdict(
                    course, standing, required, classes[course.pk], at=at
                ),
                prerequisites=required,
                cover=covers.get(row["cover_image_id"]),
            )
        )
    return cards


def search_course_ids(courses, query: str, *, within=None) -> list[int]:
    """Ids of the courses matching `query`, best first: Wagtail search (PostgreSQL
    full text on PostgreSQL), then substring matches on title, summary and
    objectives in catalogue order. Full-text indexes split Chinese only at spaces
    and punctuation, so 「礼仪」 alone would never find 《服务礼仪》. `within` (a
    filtered `courses`) keeps only the courses it holds. Two queries."""
    ranked = [course.pk for course in courses.search(query)]
    substring = Q()
    for term in query.split()[:SEARCH_MAX_TERMS]:
        substring &= (
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(objectives__icontains=term)
        )
    candidates = (within if within is not None else courses).filter(
        Q(pk__in=ranked) | substring
    )
    found = list(candidates.order_by("path").values_list("pk", flat=True))
    rank = {pk: position for position, pk in enumerate(ranked)}
    return sorted(found, key=lambda pk: rank.get(pk, len(rank)))


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


def catalog_context(index_page: CourseIndexPage, request: HttpRequest) -> dict:
    """A school's catalogue: its live courses, filtered by tier, class level, search
    and 精品, twelve to a page, each card with this person's verdict. The same
    number of queries for ten courses or a thousand."""
    params = request.GET
    at = timezone.now()
    tier = _choice(params.get("tier", ""), Tier.values)
    level = _choice(params.get("level", ""), ClassLevel.values)
    featured = params.get("featured") == "1"
    query = params.get("q", "").strip()[:100]

    base = CoursePage.objects.live().child_of(index_page)
    courses = base
    if tier:
        courses = courses.filter(tier=tier)
    if featured:
        courses = courses.filter(is_featured=True)
    if level:
        courses = courses.filter(
            pk__in=current_classes(at).filter(level=level).values("course_id")
        )

    if query:
        ids = search_course_ids(base, query, within=courses)
        page_obj = Paginator(ids, CATALOG_PAGE_SIZE).get_page(params.get("page"))
        found = {
            row["pk"]: row
            for row in CoursePage.objects.filter(
                pk__in=list(page_obj.object_list)
            ).values(*_CARD_FIELDS)
        }
        rows = [found[pk] for pk in page_obj.object_list if pk in found]
    else:
        # In the order editors give the courses in the admin's page tree (the path
        # index), as rows: a page of a thousand-course catalogue stays cheap.
        page_obj = Paginator(
            courses.order_by("path").values(*_CARD_FIELDS), CATALOG_PAGE_SIZE
        ).get_page(params.get("page"))
        rows = list(page_obj.object_list)
    url_of = descendant_urls([(index_page.url_path, index_page.get_url(request))])
    cards = _cards(rows, standing_for(request.user), at, url_of)
    return {
        "cards": cards,
        "page_obj": page_obj,
        "tiers": Tier.choices,
        "levels": ClassLevel.choices,
        "selected_tier": tier,
        "selected_level": level,
        "featured_only": featured,
        "query": query,
        "is_filtered": bool(tier or level or featured or query),
    }
