"""What a trainee loses by withdrawing from a class, shown before they confirm."""

from django.http import HttpRequest

from courses.models import Enrollment, QuizAttempt
from courses.selectors.progress import course_progress_for


def withdrawal_context(
    enrollment: Enrollment,
    *,
    request: HttpRequest | None = None,
    back_url: str | None = None,
) -> dict:
    """The confirmation page of a withdrawal: the class, the seat it frees, the
    progress and quiz attempts that stay on record but end with the class, and
    what rejoining would take (approval again, a free seat before enrolment
    closes). `back_url`: where 返回 leads, else the course page."""
    training_class = enrollment.training_class
    course = training_class.course
    course_url = course.get_url(request)
    progress = course_progress_for(course, enrollment, request)
    return {
        "enrollment": enrollment,
        "training_class": training_class,
        "course": course,
        "progress": progress,
        "attempts_used": QuizAttempt.objects.filter(enrollment=enrollment).count(),
        "holds_seat": enrollment.holds_seat,
        "requires_approval": training_class.requires_approval,
        "enrolment_open": training_class.is_enrolment_open(),
        "back_url": back_url or course_url,
    }
