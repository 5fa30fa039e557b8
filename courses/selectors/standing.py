"""Enrolment facts: what the enrolment rules need to know about people, the
classes still current, and which of someone's enrolments in a course counts."""

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from wagtail.models import Page

from courses.models import Enrollment, TrainingClass
from courses.permissions import EnrollmentStanding
from school.models import User


def standing_for(user: User) -> EnrollmentStanding:
    """The facts the enrolment rules need about one person: two queries."""
    if not user.is_authenticated:
        return EnrollmentStanding.anonymous()
    return standings_for([user])[user.pk]


def standings_for(users: list[User]) -> dict[int, EnrollmentStanding]:
    """The standing of many people at once (bulk enrolment): two queries in all."""
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
        user.pk: EnrollmentStanding(
            level=user.level,
            completed_course_ids=frozenset(completed[user.pk]),
            live_class_ids=frozenset(live[user.pk]),
        )
        for user in users
    }


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
