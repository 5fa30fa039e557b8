"""The study record of enrolments and the progress it adds up to, and the completion rule over it."""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from wagtail.models import Page

from courses.models import (
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from courses.selectors.page_urls import descendant_urls


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
    url_of = descendant_urls([(course.url_path, course.get_url(request))])
    return [
        LessonLink(pk, title, url_of(url_path), has_quiz, is_required, minutes)
        for pk, title, url_path, is_required, minutes, has_quiz in LessonPage.objects.live()
        .child_of(course)
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
    return progress_and_attempts(course, enrollment, request)[0]


def progress_and_attempts(
    course: Page,
    enrollment: Enrollment | None,
    request: HttpRequest | None,
    lessons: list[LessonPage] | None = None,
) -> tuple[CourseProgress, list[AttemptRecord]]:
    if lessons is None:
        links = _lesson_links(course, request)
    else:
        # Already loaded (by CoursePage.route, for a lesson page).
        url_of = descendant_urls([(course.url_path, course.get_url(request))])
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
