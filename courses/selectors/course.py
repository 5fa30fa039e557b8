"""A course page for one person: its current classes, their own enrolment and the
lessons with their progress."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from courses.models import CoursePage, Enrollment, TrainingClass
from courses.permissions import class_refusal, course_refusal
from courses.selectors.progress import course_progress_for
from courses.selectors.schedule import attendance_note, not_started_notice
from courses.selectors.standing import (
    current_classes,
    enrollment_for_course,
    standing_for,
)


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
    live = enrollment is not None and enrollment.status in (
        Enrollment.Status.PENDING,
        Enrollment.Status.ACTIVE,
    )
    return {
        "course": course,
        # The catalogue is the course's parent: its URL is the course's minus a step.
        "catalogue_url": course_url.rstrip("/").rpartition("/")[0] + "/",
        "prerequisites": prerequisites,
        "course_refusal": refusal,
        "class_rows": rows,
        "enrollment": enrollment,
        "can_withdraw": live,
        "progress": progress,
        "starts_notice": not_started_notice(enrollment.training_class.starts_on)
        if live
        else "",
        "attendance_note": attendance_note(
            course.attendance_threshold, enrollment.status
        )
        if enrollment is not None
        else "",
    }
