"""What an enrolled trainee sees around a lesson."""

from dataclasses import dataclass

from django.http import HttpRequest

from wagtail.models import Page

from courses.models import Enrollment, LessonPage
from courses.selectors.progress import AttemptRecord, progress_and_record


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
    progress, record = progress_and_record(
        course,
        enrollment,
        request,
        getattr(lesson, "live_siblings", None),
        with_attempts=True,
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
            attempts=[a for a in record.attempts if a.lesson_id == lesson.pk],
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
