"""Reads of learning that span relations, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.db.models import Case, Q, TextField, Value, When
from django.db.models.functions import Cast, Length, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page

from courses.models import (
    ClassLevel,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    Tier,
    TrainingClass,
)
from courses.permissions import Standing, class_refusal, course_refusal
from school.models import Level, User
from school.selectors import schools_for_navigation


def standing_for(user: User) -> Standing:
    """The facts the enrolment rules need about one person: two queries."""
    if not user.is_authenticated:
        return Standing.anonymous()
    return standings_for([user])[user.pk]


def standings_for(users: list[User]) -> dict[int, Standing]:
    """Standing for many people at once (bulk enrolment): two queries in all."""
    completed: dict[int, set[int]] = defaultdict(set)
    live: dict[int, set[int]] = defaultdict(set)
    ids = [user.pk for user in users]
    rows = (
        Enrollment.objects.live()
        .filter(trainee_id__in=ids)
        .values_list(
            "trainee_id", "status", "training_class_id", "training_class__course_id"
        )
    )
    for trainee_id, status, class_id, course_id in rows:
        live[trainee_id].add(class_id)
        if status == Enrollment.Status.COMPLETED:
            completed[trainee_id].add(course_id)
    return {
        user.pk: Standing(
            level=user.level,
            completed_course_ids=frozenset(completed[user.pk]),
            live_class_ids=frozenset(live[user.pk]),
        )
        for user in users
    }


def course_lessons(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons in their authored order."""
    return list(LessonPage.objects.live().child_of(course).order_by("path"))


def studied_and_passed(enrollment: Enrollment) -> tuple[set[int], set[int]]:
    """The lessons an enrolment has studied, and those whose quiz it has passed."""
    done = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_id", flat=True
        )
    )
    passed = set(
        QuizAttempt.objects.filter(enrollment=enrollment, passed=True).values_list(
            "lesson_id", flat=True
        )
    )
    return done, passed


def completion_rule_holds(enrollment: Enrollment) -> bool:
    """Every required lesson done and its quiz (if any) passed, attendance at or
    above the course's threshold. Optional lessons, and their quizzes, never hold
    completion back; a later lower quiz score does not undo a pass.

    Attendance is recorded by the attendance issue's ClassSession and
    AttendanceRecord; until those exist only a threshold of 0 can pass, so a
    course with attendance_threshold > 0 does not complete yet.
    """
    course = enrollment.training_class.course
    lessons = course_lessons(course)
    required = {lesson.pk: lesson for lesson in lessons if lesson.is_required}
    quizzes = {pk for pk, lesson in required.items() if lesson.has_quiz}
    done, passed = studied_and_passed(enrollment)
    attendance_ok = course.attendance_threshold == 0
    return (
        bool(lessons)
        and required.keys() <= done
        and quizzes <= passed
        and attendance_ok
    )


# The trainee's side: the catalogue, a course page, a lesson, 我的学习 (my learning).

CATALOG_PAGE_SIZE = 12
COVER_SPEC = "fill-480x270"
SEARCH_MAX_TERMS = 5
_RESUME_ORDER = {
    Enrollment.Status.ACTIVE: 0,
    Enrollment.Status.COMPLETED: 1,
    Enrollment.Status.PENDING: 2,
}


def current_classes(at: datetime | None = None):
    """Active classes that have not ended yet: the ones a trainee could still join
    or be part of. The catalogue's class-level filter and the course page use them."""
    at = at or timezone.now()
    return TrainingClass.objects.filter(
        is_active=True, ends_on__gte=timezone.localdate(at)
    )


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
    standing: Standing,
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


def _covers(focal_points: dict[int, tuple]) -> dict[int, object]:
    """The COVER_SPEC rendition of each image (id → focal point x, y, width,
    height), chosen as Image.get_rendition chooses it — same spec, same focal
    point — but from one query for them all. An image without one yet gets it made
    the usual way, once."""
    if not focal_points:
        return {}
    cover_filter = Filter(spec=COVER_SPEC)
    wanted = {
        image_id: cover_filter.get_cache_key(
            SimpleNamespace(
                focal_point_x=x,
                focal_point_y=y,
                focal_point_width=w,
                focal_point_height=h,
            )
        )
        for image_id, (x, y, w, h) in focal_points.items()
    }
    image_model = get_image_model()
    found = {
        rendition.image_id: rendition
        for rendition in image_model.get_rendition_model().objects.filter(
            image_id__in=wanted, filter_spec=COVER_SPEC
        )
        if rendition.focal_point_key == wanted[rendition.image_id]
    }
    missing = set(wanted) - set(found)
    if missing:
        for image in image_model.objects.filter(pk__in=missing):
            found[image.pk] = image.get_rendition(COVER_SPEC)
    return found


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
    "cover_image__focal_point_x",
    "cover_image__focal_point_y",
    "cover_image__focal_point_width",
    "cover_image__focal_point_height",
)


def _cards(
    card_rows: list[tuple], standing: Standing, at: datetime, url_of
) -> list[CourseCard]:
    """Cards for one page of courses (rows of _CARD_FIELDS, in page order): with
    their covers' renditions, current classes and prerequisites — three queries for
    the page, none per course."""
    course_ids = [row[0] for row in card_rows]
    covers = _covers({row[8]: row[9:13] for row in card_rows if row[8]})
    classes: dict[int, list[TrainingClass]] = defaultdict(list)
    for training_class in (
        current_classes(at)
        .filter(course_id__in=course_ids)
        .order_by("starts_on", "number")
    ):
        classes[training_class.course_id].append(training_class)
    prerequisites: dict[int, list[PrerequisiteRef]] = defaultdict(list)
    for course_id, pk, title in (
        CoursePage.prerequisites.through.objects.filter(
            from_coursepage_id__in=course_ids
        )
        .order_by("to_coursepage__path")
        .values_list("from_coursepage_id", "to_coursepage_id", "to_coursepage__title")
    ):
        prerequisites[course_id].append(PrerequisiteRef(pk, title))
    cards = []
    for row in card_rows:
        pk, title, url_path, tier, summary, hours, level, featured, image_id, *_ = row
        course = CourseSummary(
            pk, title, url_of(url_path), tier, summary, hours, level, featured
        )
        required = prerequisites[pk]
        cards.append(
            CourseCard(
                course=course,
                verdict=course_verdict(course, standing, required, classes[pk], at=at),
                prerequisites=required,
                cover=covers.get(image_id),
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
            row[0]: row
            for row in CoursePage.objects.filter(
                pk__in=list(page_obj.object_list)
            ).values_list(*_CARD_FIELDS)
        }
        rows = [found[pk] for pk in page_obj.object_list if pk in found]
    else:
        # In the order editors give the courses in the admin's page tree (the path
        # index), as rows: a page of a thousand-course catalogue stays cheap.
        page_obj = Paginator(
            courses.order_by("path").values_list(*_CARD_FIELDS), CATALOG_PAGE_SIZE
        ).get_page(params.get("page"))
        rows = list(page_obj.object_list)
    url_of = _descendant_urls([(index_page.url_path, index_page.get_url(request))])
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


@dataclass(frozen=True)
class CourseProgress:
    """How far one enrolment has got: each lesson studied and each quiz passed is
    one step; a completed enrolment is 100%."""

    lessons: list
    done_ids: frozenset[int]
    passed_ids: frozenset[int]
    percent: int
    next_lesson: object | None


def course_progress(
    lessons: list,
    *,
    done_ids: set[int] | frozenset[int],
    passed_ids: set[int] | frozenset[int],
    enrollment: Enrollment | None = None,
    status: str | None = None,
    last_lesson_id: int | None = None,
    quiz_ids: set[int] | None = None,
) -> CourseProgress:
    """Progress over pre-loaded facts, and the lesson to resume: the first unfinished
    one after the lesson studied last, else the first unfinished one. `lessons` are
    anything with a pk, in course order. The enrolment's status and last lesson come
    from `enrollment`, or as values when only a row was read; none: not enrolled."""
    if enrollment is not None:
        status, last_lesson_id = enrollment.status, enrollment.last_lesson_id
    if quiz_ids is None:
        quiz_ids = {lesson.pk for lesson in lessons if lesson.has_quiz}
    with_quiz = {lesson.pk for lesson in lessons if lesson.pk in quiz_ids}
    steps = len(lessons) + len(with_quiz)
    done_steps = sum(1 for lesson in lessons if lesson.pk in done_ids) + len(
        with_quiz & set(passed_ids)
    )
    completed = status == Enrollment.Status.COMPLETED
    percent = 100 if completed else 100 * done_steps // steps if steps else 0
    unfinished = [
        lesson
        for lesson in lessons
        if lesson.pk not in done_ids
        or (lesson.pk in with_quiz and lesson.pk not in passed_ids)
    ]
    next_lesson = None
    if unfinished and status is not None and not completed:
        position = {lesson.pk: index for index, lesson in enumerate(lessons)}
        last = position.get(last_lesson_id, -1)
        after = [lesson for lesson in unfinished if position[lesson.pk] > last]
        next_lesson = (after or unfinished)[0]
    return CourseProgress(
        lessons=lessons,
        done_ids=frozenset(done_ids),
        passed_ids=frozenset(passed_ids),
        percent=percent,
        next_lesson=next_lesson,
    )


def enrollment_for_course(
    user: User, course: Page, *, with_class: bool = True
) -> Enrollment | None:
    """This person's live enrolment in a class of the course — 学习中 first, then
    已结业, then 待审核 — or None. One query; with_class=False leaves the class
    unread (a lesson needs only the enrolment's own fields)."""
    if not user.is_authenticated:
        return None
    candidates = (
        Enrollment.objects.live()
        .for_trainee(user)
        .filter(training_class__course_id=course.pk)
        .order_by("-created_at")
    )
    if with_class:
        candidates = candidates.select_related("training_class")
    return min(candidates, key=lambda e: _RESUME_ORDER[e.status], default=None)


# A quiz block in a lesson body's JSON, read as text: "type": "quiz" on SQLite and
# PostgreSQL alike, so that a list of lessons need not load and parse every body.
_QUIZ_IN_BODY = '"type": "quiz"'


def _with_has_quiz(lessons):
    return lessons.annotate(body_text=Cast("body", TextField())).annotate(
        has_quiz=Case(
            When(body_text__contains=_QUIZ_IN_BODY, then=Value(True)),
            default=Value(False),
        )
    )


@dataclass(frozen=True)
class LessonLink:
    """A lesson as lists of lessons need it, read as a row rather than a page: where
    it is, whether it ends in a quiz, and (on a course) whether it is done."""

    pk: int
    title: str
    url: str | None
    has_quiz: bool
    is_required: bool = True
    estimated_minutes: int = 0


def _descendant_urls(bases: list[tuple[str, str | None]]):
    """URL of a page below one of `bases` (url_path, URL), without a query or a page
    object each: a descendant's URL is its ancestor's plus the rest of its
    url_path."""

    def url_of(url_path: str) -> str | None:
        for base_path, base_url in bases:
            if base_url is not None and url_path.startswith(base_path):
                return base_url + url_path[len(base_path) :]
        return None

    return url_of


def _url_from_path(url_paths: list[str]):
    """As _descendant_urls, the ancestors' URLs being Wagtail's, worked out from an
    unsaved stand-in page each (no query)."""
    return _descendant_urls(
        [(path, Page(url_path=path).get_url()) for path in url_paths]
    )


@dataclass(frozen=True)
class AttemptRecord:
    """One past attempt at a quiz, as the trainee sees it (never the answers)."""

    lesson_id: int
    number: int
    score: int
    passed: bool
    submitted_at: datetime


def _lesson_links(course: Page, request: HttpRequest | None) -> list[LessonLink]:
    """The course's live lessons in order, as rows. One query."""
    url_of = _descendant_urls([(course.url_path, course.get_url(request))])
    return [
        LessonLink(pk, title, url_of(url_path), bool(has_quiz), is_required, minutes)
        for pk, title, url_path, is_required, minutes, has_quiz in _with_has_quiz(
            LessonPage.objects.live().child_of(course)
        )
        .order_by("path")
        .values_list(
            "pk", "title", "url_path", "is_required", "estimated_minutes", "has_quiz"
        )
    ]


def _study_record(enrollment: Enrollment) -> tuple[set[int], list[AttemptRecord]]:
    """The lessons an enrolment has studied and all its quiz attempts: two plain
    queries, which Django builds in less time than the union of the two."""
    done = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_id", flat=True
        )
    )
    record = [
        AttemptRecord(lesson_id, number, score, passed, at)
        for lesson_id, number, score, passed, at in QuizAttempt.objects.filter(
            enrollment=enrollment
        )
        .order_by("number", "pk")
        .values_list("lesson_id", "number", "score", "passed", "submitted_at")
    ]
    return done, record


def course_progress_for(
    course: Page, enrollment: Enrollment | None, request: HttpRequest | None = None
) -> CourseProgress:
    """The course's live lessons, each marked done and quiz-passed for this
    enrolment, and the progress they add up to. Three queries, rows not pages."""
    return _progress_and_attempts(course, enrollment, request)[0]


def _progress_and_attempts(
    course: Page,
    enrollment: Enrollment | None,
    request: HttpRequest | None,
    lessons: list[LessonPage] | None = None,
) -> tuple[CourseProgress, list[AttemptRecord]]:
    if lessons is None:
        links = _lesson_links(course, request)
    else:
        # Already loaded (by CoursePage.route, for a lesson page).
        url_of = _descendant_urls([(course.url_path, course.get_url(request))])
        links = [
            LessonLink(
                lesson.pk,
                lesson.title,
                url_of(lesson.url_path),
                lesson.has_quiz,
                lesson.is_required,
                lesson.estimated_minutes,
            )
            for lesson in lessons
        ]
    done, attempts = (
        _study_record(enrollment) if enrollment is not None else (set(), [])
    )
    progress = course_progress(
        links,
        done_ids=done,
        passed_ids={attempt.lesson_id for attempt in attempts if attempt.passed},
        enrollment=enrollment,
        quiz_ids={link.pk for link in links if link.has_quiz},
    )
    return progress, attempts


@dataclass(frozen=True)
class ClassRow:
    """One class on a course page: enrol, or the reason why not."""

    training_class: TrainingClass
    refusal: str | None
    is_mine: bool


def course_context(course: CoursePage, request: HttpRequest) -> dict:
    """A course page for this person: the current classes, each with an enrol button
    or the reason it is refused; their own enrolment with progress; the lessons with
    done marks and the one to resume."""
    user = request.user
    at = timezone.now()
    standing = standing_for(user)
    prerequisites = list(course.prerequisites.order_by("path"))
    refusal = (
        course_refusal(course, standing, prerequisites)
        if standing.authenticated
        else None
    )
    # A course being created has no classes or enrolments yet (the admin's preview).
    saved = course.pk is not None
    classes = (
        current_classes(at)
        .filter(course_id=course.pk)
        .select_related("practice_site")
        .order_by("starts_on", "number")
    )
    rows = []
    for training_class in classes if saved else []:
        is_mine = training_class.pk in standing.live_class_ids
        reason = class_refusal(training_class, standing, at=at)
        rows.append(
            ClassRow(training_class, reason if is_mine else refusal or reason, is_mine)
        )
    enrollment = enrollment_for_course(user, course) if saved else None
    progress = course_progress_for(course, enrollment, request)
    course_url = course.get_url(request) or ""
    return {
        "course": course,
        # The catalogue is the course's parent: its URL is the course's minus a step.
        "catalogue_url": course_url.rstrip("/").rpartition("/")[0] + "/",
        "prerequisites": prerequisites,
        "course_refusal": refusal,
        "class_rows": rows,
        "enrollment": enrollment,
        "can_withdraw": enrollment is not None
        and enrollment.status in (Enrollment.Status.PENDING, Enrollment.Status.ACTIVE),
        "progress": progress,
    }


@dataclass(frozen=True)
class QuizSummary:
    """A trainee's record on one lesson's quiz: attempts used and left, best score."""

    attempts: list[AttemptRecord]
    max_attempts: int
    pass_mark: int

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def left(self) -> int:
        return max(0, self.max_attempts - self.used)

    @property
    def best_score(self) -> int | None:
        return max((attempt.score for attempt in self.attempts), default=None)

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)


def lesson_context(
    lesson: LessonPage,
    *,
    course: Page,
    enrollment: Enrollment,
    request: HttpRequest | None = None,
) -> dict:
    """What an enrolled trainee sees around a lesson: the course's progress, the
    previous and next lessons, and their own attempts at its quiz. Two queries when
    routing has loaded the lessons (CoursePage.route), three otherwise."""
    progress, attempts = _progress_and_attempts(
        course, enrollment, request, getattr(lesson, "live_siblings", None)
    )
    lessons = progress.lessons
    position = next(
        (index for index, item in enumerate(lessons) if item.pk == lesson.pk), None
    )
    previous_lesson = next_lesson = None
    if position is not None:
        previous_lesson = lessons[position - 1] if position > 0 else None
        next_lesson = lessons[position + 1] if position + 1 < len(lessons) else None
    quiz = lesson.quiz
    summary = None
    if quiz is not None:
        summary = QuizSummary(
            attempts=[a for a in attempts if a.lesson_id == lesson.pk],
            max_attempts=quiz["max_attempts"],
            pass_mark=quiz["pass_mark"],
        )
    return {
        "course": course,
        "enrollment": enrollment,
        "progress": progress,
        "lesson_number": (position or 0) + 1,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "is_done": lesson.pk in progress.done_ids,
        "quiz": quiz,
        "quiz_summary": summary,
    }


@dataclass(frozen=True)
class LearningRow:
    """One enrolment on 我的学习, flattened from one row of one query, its labels
    made once here rather than by template filters on every card."""

    enrollment_id: int
    status: str
    status_label: str
    course_title: str
    course_url: str | None
    class_label: str
    dates_label: str
    completed_label: str
    site_name: str | None
    progress: CourseProgress


@dataclass(frozen=True)
class CatalogueLink:
    """A school's catalogue, linked from 我的学习."""

    title: str
    school: str
    url: str | None


def dashboard_context(user: User, request: HttpRequest | None = None) -> dict:
    """我的学习: the trainee's classes with status, a progress bar and the lesson to
    resume for each, the courses completed, and links to the catalogues. Five
    queries however many enrolments; rows, not pages, so that fifty enrolments
    stay cheap."""
    rows = list(
        Enrollment.objects.for_trainee(user)
        .order_by("-created_at", "-pk")
        .values_list(
            "pk",
            "status",
            "completed_at",
            "last_lesson_id",
            "training_class__number",
            "training_class__level",
            "training_class__starts_on",
            "training_class__ends_on",
            "training_class__practice_site__name",
            "training_class__course__title",
            "training_class__course__url_path",
            "training_class__course__path",
        )
    )
    catalogue_rows = list(
        CourseIndexPage.objects.live().order_by("path").values_list("title", "url_path")
    )
    url_of = _url_from_path([url_path for _title, url_path in catalogue_rows])
    # The schools are in the header already (read once per request).
    schools = sorted(
        schools_for_navigation(request),
        key=lambda school: len(school.url_path),
        reverse=True,
    )
    catalogues = [
        CatalogueLink(
            title=title,
            school=next(
                (
                    school.title
                    for school in schools
                    if url_path.startswith(school.url_path)
                ),
                "",
            ),
            url=url_of(url_path),
        )
        for title, url_path in catalogue_rows
    ]
    lessons: dict[str, list[LessonLink]] = defaultdict(list)
    done: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    if rows:
        course_paths = {row[11] for row in rows}
        for pk, title, path, url_path, has_quiz in (
            _with_has_quiz(LessonPage.objects.live())
            .filter(depth__in={len(path) // Page.steplen + 1 for path in course_paths})
            .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
            .filter(parent_path__in=course_paths)
            .order_by("path")
            .values_list("pk", "title", "path", "url_path", "has_quiz")
        ):
            lessons[path[: -Page.steplen]].append(
                LessonLink(pk, title, url_of(url_path), bool(has_quiz))
            )
        # Lessons studied and quizzes passed in all of the trainee's enrolments (the
        # rows): two plain queries, which Django builds in less time than their
        # union, or than a list of fifty enrolment ids.
        for enrollment_id, lesson_id in LessonProgress.objects.filter(
            enrollment__trainee=user
        ).values_list("enrollment_id", "lesson_id"):
            done[enrollment_id].add(lesson_id)
        for enrollment_id, lesson_id in (
            QuizAttempt.objects.filter(enrollment__trainee=user, passed=True)
            .order_by()
            .values_list("enrollment_id", "lesson_id")
        ):
            passed[enrollment_id].add(lesson_id)

    # Each label translated once, not once per card.
    statuses = {value: str(label) for value, label in Enrollment.Status.choices}
    levels = {value: str(label) for value, label in ClassLevel.choices}
    class_format, completed_format = (
        _("第 %(number)s 期 · %(level)s"),
        _("%(date)s 结业"),
    )
    learning = []
    for (
        pk,
        status,
        completed_at,
        last_lesson_id,
        number,
        level,
        starts_on,
        ends_on,
        site_name,
        title,
        url_path,
        path,
    ) in rows:
        course_lessons_ = lessons[path]
        learning.append(
            LearningRow(
                enrollment_id=pk,
                status=status,
                status_label=statuses[status],
                course_title=title,
                course_url=url_of(url_path),
                class_label=class_format % {"number": number, "level": levels[level]},
                dates_label=f"{starts_on:%Y-%m-%d} — {ends_on:%Y-%m-%d}",
                completed_label=(
                    completed_format
                    % {"date": f"{timezone.localtime(completed_at):%Y-%m-%d}"}
                    if completed_at
                    else ""
                ),
                site_name=site_name,
                progress=course_progress(
                    course_lessons_,
                    done_ids=done[pk],
                    passed_ids=passed[pk],
                    status=status,
                    last_lesson_id=last_lesson_id,
                    quiz_ids={link.pk for link in course_lessons_ if link.has_quiz},
                ),
            )
        )
    Status = Enrollment.Status
    current = [row for row in learning if row.status in (Status.ACTIVE, Status.PENDING)]
    completed = [row for row in learning if row.status == Status.COMPLETED]
    return {
        "catalogues": catalogues,
        "current": current,
        "completed": completed,
        "ended": [
            row for row in learning if row.status in (Status.WITHDRAWN, Status.REJECTED)
        ],
        "sections": [
            {
                "key": "current",
                "title": _("正在学习"),
                "rows": current,
                "empty": _("您还没有正在学习的培训班。去课程目录挑一门课程报名吧。"),
            },
            {
                "key": "completed",
                "title": _("已结业课程"),
                "rows": completed,
                "empty": _("还没有结业的课程。"),
            },
        ],
    }
