"""What an enrolled trainee sees around a lesson: progress, the previous and next
lessons, and their attempts at its quiz."""

from dataclasses import dataclass, replace

from django.db.models import Sum
from django.http import HttpRequest

from wagtail.models import Page

from courses.blocks import QuizFeedback, correct_answers
from courses.models import (
    CoursePage,
    Enrollment,
    LessonPage,
    QuizAttempt,
    QuizAttemptGrant,
)
from courses.selectors.progress import AttemptRecord, progress_and_record
from courses.selectors.schedule import attendance_note
from school.models import User


@dataclass(frozen=True)
class QuestionFeedback:
    """How one question went in the trainee's last attempt, as far as the quiz's
    author chose to tell: right or wrong, and the explanation if they gave one.
    Never which choices are correct."""

    number: int
    prompt: str
    correct: bool
    explanation: str = ""


@dataclass(frozen=True)
class QuizSummary:
    """A trainee's record on one lesson's quiz: attempts used and left (granted
    ones included), best score, the last attempt's feedback and, once the attempts
    are used up without a pass, whom to ask for more."""

    attempts: list[AttemptRecord]
    max_attempts: int
    pass_mark: int
    granted: int = 0
    feedback: tuple[QuestionFeedback, ...] = ()
    contacts: tuple[str, ...] = ()

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

    @property
    def last(self) -> AttemptRecord | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def used_up(self) -> bool:
        """No attempt left and none passed: the trainee needs an extra attempt."""
        return not self.passed and self.left == 0


def question_feedback(quiz, answers: dict) -> tuple[QuestionFeedback, ...]:
    """Per-question feedback on one attempt's answers, as the quiz's author chose
    (QuizBlock.feedback): none, right or wrong, or that with the explanation."""
    mode = quiz.get("feedback") or QuizFeedback.CORRECTNESS
    if mode == QuizFeedback.NONE:
        return ()
    items = []
    right = correct_answers(quiz)
    for index, question in enumerate(quiz["questions"]):
        name = f"q{index}"
        items.append(
            QuestionFeedback(
                number=index + 1,
                prompt=question["prompt"],
                correct=set(answers.get(name, [])) == set(right[name]),
                explanation=(question.get("explanation") or "")
                if mode == QuizFeedback.EXPLAINED
                else "",
            )
        )
    return tuple(items)


def granted_attempts(enrollment: Enrollment, lesson: LessonPage) -> int:
    """Extra attempts at this lesson's quiz granted to this enrolment by staff
    (QuizAttemptGrant), added to the quiz's own by submit_quiz and the lesson page."""
    total = QuizAttemptGrant.objects.filter(
        enrollment=enrollment, lesson=lesson
    ).aggregate(total=Sum("extra"))["total"]
    return total or 0


def _quiz_summary(
    quiz, lesson: LessonPage, enrollment: Enrollment, record
) -> QuizSummary:
    """The summary of one quiz: one query for the grants (once the quiz's own
    attempts are used up), one for the last attempt's answers (when there is
    feedback to give), one for the class's instructors (when all are used up)."""
    attempts = [a for a in record.attempts if a.lesson_id == lesson.pk]
    # Grants are only given once the quiz's own attempts are used up
    # (services.grant_extra_attempts): before that there is none to look for.
    granted = (
        granted_attempts(enrollment, lesson)
        if len(attempts) >= quiz["max_attempts"]
        else 0
    )
    summary = QuizSummary(
        attempts=attempts,
        max_attempts=quiz["max_attempts"] + granted,
        pass_mark=quiz["pass_mark"],
        granted=granted,
    )
    feedback = ()
    if attempts and quiz.get("feedback") != QuizFeedback.NONE:
        answers = (
            QuizAttempt.objects.filter(enrollment=enrollment, lesson=lesson)
            .order_by("-number")
            .values_list("answers", flat=True)
            .first()
        )
        feedback = question_feedback(quiz, answers or {})
    contacts = ()
    if summary.used_up:
        contacts = tuple(
            User.objects.filter(taught_classes=enrollment.training_class_id)
            .order_by("real_name", "pk")
            .values_list("real_name", flat=True)
        )
    return replace(summary, feedback=feedback, contacts=contacts)


def _attendance_threshold(course: Page, enrollment: Enrollment) -> int:
    """The course's attendance threshold: read off the course page when routing
    gave the lesson its CoursePage parent, else one query (active enrolments
    only: no other shows the note)."""
    threshold = getattr(course, "attendance_threshold", None)
    if threshold is None and enrollment.status == Enrollment.Status.ACTIVE:
        threshold = (
            CoursePage.objects.filter(pk=course.pk)
            .values_list("attendance_threshold", flat=True)
            .first()
        )
    return threshold or 0


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
        summary = _quiz_summary(quiz, lesson, enrollment, record)
    return {
        "course": course,
        "enrollment": enrollment,
        "progress": progress,
        "attendance_note": attendance_note(
            _attendance_threshold(course, enrollment), enrollment.status
        ),
        "lesson_number": (position or 0) + 1,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "is_done": lesson.pk in progress.done_ids,
        "quiz": quiz,
        "quiz_summary": summary,
    }
