"""The study record of enrolments (lessons studied, quizzes passed), the progress it
adds up to, and the completion rule over it. What an enrolment has studied and
passed is read in one place: study_records."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest

from wagtail.models import Page

from courses.models import (
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    TrainingClass,
)
from courses.selectors.attendance import attendance_rate
from courses.selectors.page_urls import descendant_urls
from school.models import User


@dataclass(frozen=True)
class AttemptRecord:
    """One past attempt at a quiz, as the trainee sees it (never the answers)."""

    lesson_id: int
    number: int
    score: int
    passed: bool
    submitted_at: datetime


@dataclass(frozen=True)
class StudyRecord:
    """What one enrolment has done: the lessons it has studied, the lessons whose
    quiz it has passed and, when they were asked for, all its quiz attempts in the
    order they were made."""

    studied: frozenset[int] = frozenset()
    passed: frozenset[int] = frozenset()
    attempts: tuple[AttemptRecord, ...] = ()


NOTHING_STUDIED = StudyRecord()


def study_records(
    *,
    enrollment: Enrollment | None = None,
    trainee: User | None = None,
    training_class: TrainingClass | None = None,
    with_attempts: bool = False,
) -> dict[int, StudyRecord]:
    """Lessons studied and quizzes passed, by enrolment id: of one enrolment, of all
    a trainee's or of all a class's (give one), in two queries however many.
    With attempts, every quiz attempt is read instead of the passed ones only (a
    lesson page lists them), and passes are taken from them. An enrolment that
    has done nothing yet maps to NOTHING_STUDIED."""
    # A join on the enrolment, not a list of ids or a subquery: Django builds it
    # in half the time, and the pages that ask read few rows.
    if enrollment is not None:
        of = Q(enrollment=enrollment)
    elif trainee is not None:
        of = Q(enrollment__trainee=trainee)
    elif training_class is not None:
        of = Q(enrollment__training_class=training_class)
    else:
        raise TypeError("study_records needs an enrollment, trainee or training_class")
    studied: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    attempts: dict[int, list[AttemptRecord]] = defaultdict(list)
    for row in LessonProgress.objects.filter(of).values("enrollment_id", "lesson_id"):
        studied[row["enrollment_id"]].add(row["lesson_id"])
    if with_attempts:
        for row in (
            QuizAttempt.objects.filter(of)
            .order_by("number", "pk")
            .values(
                "enrollment_id",
                "lesson_id",
                "number",
                "score",
                "passed",
                "submitted_at",
            )
        ):
            enrollment_id = row.pop("enrollment_id")
            attempts[enrollment_id].append(AttemptRecord(**row))
            if row["passed"]:
                passed[enrollment_id].add(row["lesson_id"])
    else:
        for row in (
            QuizAttempt.objects.filter(of, passed=True)
            .order_by()
            .values("enrollment_id", "lesson_id")
        ):
            passed[row["enrollment_id"]].add(row["lesson_id"])
    records: dict[int, StudyRecord] = defaultdict(lambda: NOTHING_STUDIED)
    for enrollment_id in studied.keys() | passed.keys() | attempts.keys():
        records[enrollment_id] = StudyRecord(
            studied=frozenset(studied[enrollment_id]),
            passed=frozenset(passed[enrollment_id]),
            attempts=tuple(attempts[enrollment_id]),
        )
    return records


def studied_and_passed(enrollment: Enrollment) -> tuple[set[int], set[int]]:
    """The lessons one enrolment has studied, and those whose quiz it has passed
    (study_records for one enrolment, as two sets)."""
    record = study_records(enrollment=enrollment)[enrollment.pk]
    return set(record.studied), set(record.passed)


def course_lessons(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons in their authored order."""
    return list(LessonPage.objects.live().child_of(course).order_by("path"))


def completion_rule_holds(enrollment: Enrollment) -> bool:
    """Every required lesson done and its quiz (if any) passed, attendance at or
    above the course's threshold. Optional lessons, and their quizzes, never hold
    completion back; a later lower quiz score does not undo a pass.

    The attendance rate is the enrolment's marks at the class's sessions
    (courses.selectors.attendance); a threshold of 0 asks for none.
    """
    course = enrollment.training_class.course
    lessons = list(
        LessonPage.objects.live()
        .child_of(course)
        .values("pk", "is_required", "has_quiz")
    )
    required = {lesson["pk"] for lesson in lessons if lesson["is_required"]}
    quizzes = {
        lesson["pk"]
        for lesson in lessons
        if lesson["is_required"] and lesson["has_quiz"]
    }
    record = study_records(enrollment=enrollment)[enrollment.pk]
    attendance_ok = course.attendance_threshold == 0 or attendance_rate(
        enrollment
    ).meets(course.attendance_threshold)
    return (
        bool(lessons)
        and required <= record.studied
        and quizzes <= record.passed
        and attendance_ok
    )


@dataclass(frozen=True)
class CourseProgress:
    """How far one enrolment has got: the share of lessons studied (a lesson with
    a quiz is studied only once its quiz is passed); a completed enrolment is
    100%."""

    lessons: list
    done_ids: frozenset[int]
    passed_ids: frozenset[int]
    percent: int
    next_lesson: object | None


def course_progress(
    lessons: list,
    record: StudyRecord,
    *,
    enrollment: Enrollment | None = None,
    status: str | None = None,
    last_lesson_id: int | None = None,
) -> CourseProgress:
    """Progress over pre-loaded facts, and the lesson to resume: the first unfinished
    one after the lesson studied last, else the first unfinished one. `lessons` are
    anything with pk and has_quiz, in course order; `record` is what the enrolment
    has studied and passed. The enrolment's status and last lesson come from
    `enrollment`, or as values when only a row was read; none: not enrolled."""
    if enrollment is not None:
        status, last_lesson_id = enrollment.status, enrollment.last_lesson_id
    done_ids, passed_ids = record.studied, record.passed
    with_quiz = {lesson.pk for lesson in lessons if lesson.has_quiz}
    # Lessons, not lessons plus quizzes: the trainee counts lessons, and a lesson
    # with a quiz cannot be ticked before its quiz is passed.
    steps = len(lessons)
    done_steps = sum(1 for lesson in lessons if lesson.pk in done_ids)
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
        done_ids=done_ids,
        passed_ids=passed_ids,
        percent=percent,
        next_lesson=next_lesson,
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


LESSON_LINK_FIELDS = (
    "pk",
    "title",
    "url_path",
    "has_quiz",
    "is_required",
    "estimated_minutes",
)


def _lesson_links(
    course: Page, request: HttpRequest | None, lessons: list[LessonPage] | None
) -> list[LessonLink]:
    """The course's live lessons in order, as rows: one query, none when routing
    has loaded them already (CoursePage.route, for a lesson page)."""
    url_of = descendant_urls([(course.url_path, course.get_url(request))])
    if lessons is None:
        rows = (
            LessonPage.objects.live()
            .child_of(course)
            .order_by("path")
            .values(*LESSON_LINK_FIELDS)
        )
    else:
        rows = [
            {name: getattr(lesson, name) for name in LESSON_LINK_FIELDS}
            for lesson in lessons
        ]
    return [LessonLink(url=url_of(row.pop("url_path")), **row) for row in rows]


def course_progress_for(
    course: Page, enrollment: Enrollment | None, request: HttpRequest | None = None
) -> CourseProgress:
    """The course's live lessons, each marked done and quiz-passed for this
    enrolment, and the progress they add up to. Three queries, rows not pages."""
    return progress_and_record(course, enrollment, request)[0]


def progress_and_record(
    course: Page,
    enrollment: Enrollment | None,
    request: HttpRequest | None,
    lessons: list[LessonPage] | None = None,
    *,
    with_attempts: bool = False,
) -> tuple[CourseProgress, StudyRecord]:
    """course_progress_for, and the study record it was worked out from (with the
    quiz attempts, if asked for). `lessons`: the course's live lessons, if loaded."""
    links = _lesson_links(course, request, lessons)
    record = (
        study_records(enrollment=enrollment, with_attempts=with_attempts)[enrollment.pk]
        if enrollment is not None
        else NOTHING_STUDIED
    )
    return course_progress(links, record, enrollment=enrollment), record
