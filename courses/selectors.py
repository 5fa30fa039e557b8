"""Reads of learning that span relations, each in a fixed number of queries."""

from collections import defaultdict

from courses.models import (
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from courses.permissions import Standing
from school.models import User


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


def completion_rule_holds(enrollment: Enrollment) -> bool:
    """Every required lesson done, every lesson quiz passed, attendance at or above
    the course's threshold.

    Attendance is recorded by the attendance issue's ClassSession and
    AttendanceRecord; until those exist only a threshold of 0 can pass.
    """
    course = enrollment.training_class.course
    lessons = course_lessons(course)
    required = {lesson.pk for lesson in lessons if lesson.is_required}
    quizzes = {lesson.pk for lesson in lessons if lesson.quiz is not None}
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
    attendance_ok = course.attendance_threshold == 0
    return bool(lessons) and required <= done and quizzes <= passed and attendance_ok
