"""What an instructor teaches, for their admin home: the courses they author and
the classes they teach or whose course they author, with head counts."""

from dataclasses import dataclass

from django.db.models import Count, Q

from courses.models import CoursePage, Enrollment, TrainingClass
from school.models import User


@dataclass(frozen=True)
class TeachingOverview:
    """An instructor's courses (owned, or last edited by them) and classes."""

    courses: list[CoursePage]
    classes: list[TrainingClass]

    def __bool__(self) -> bool:
        return bool(self.courses or self.classes)


def teaching_overview(user: User) -> TeachingOverview:
    """The courses `user` owns or last revised, and the classes they teach or whose
    course they own, newest first; each class carries `completed_count` and
    `pending_count`. Three queries, whatever the numbers."""
    courses = list(
        CoursePage.objects.filter(Q(owner=user) | Q(latest_revision__user=user))
        .annotate(class_count=Count("classes"))
        .order_by("title")
    )
    taught = TrainingClass.objects.filter(instructors=user).values("pk")
    classes = list(
        TrainingClass.objects.filter(Q(pk__in=taught) | Q(course__owner=user))
        .select_related("course")
        .annotate(
            completed_count=Count(
                "enrollments",
                filter=Q(enrollments__status=Enrollment.Status.COMPLETED),
            ),
            pending_count=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.PENDING)
            ),
        )
        .order_by("-starts_on", "course__title", "number")
    )
    return TeachingOverview(courses, classes)
