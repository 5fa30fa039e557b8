"""我的学习 (my learning): a trainee's enrolments with progress, and links to the catalogues."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Length, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Page

from courses.models import (
    ClassLevel,
    CourseIndexPage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from courses.selectors.page_urls import url_from_path
from courses.selectors.progress import (
    CourseProgress,
    LessonLink,
    course_progress,
)
from school.models import User
from school.selectors import schools_for_navigation


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
    url_of = url_from_path([url_path for _title, url_path in catalogue_rows])
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
            LessonPage.objects.live()
            .filter(depth__in={len(path) // Page.steplen + 1 for path in course_paths})
            .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
            .filter(parent_path__in=course_paths)
            .order_by("path")
            .values_list("pk", "title", "path", "url_path", "has_quiz")
        ):
            lessons[path[: -Page.steplen]].append(
                LessonLink(pk, title, url_of(url_path), has_quiz)
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
