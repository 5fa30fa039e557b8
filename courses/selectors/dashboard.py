"""我的学习 (my learning): a trainee's enrolments with their progress and
attendance, their bookings of practice sessions (我的预约), the sessions they can
check in to now, and links to the catalogues. Rows, not pages, so that fifty
enrolments stay cheap."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models.functions import Length, Substr
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Page

from courses import checkin_window
from courses.models import (
    AttendanceRecord,
    Booking,
    ClassLevel,
    CourseIndexPage,
    Enrollment,
    LessonPage,
)
from courses.selectors.attendance import NO_MARKS, AttendanceRate, attendance_rates
from courses.selectors.bookings import classes_with_sessions, my_bookings, time_label
from courses.selectors.page_urls import url_from_path
from courses.selectors.progress import (
    CourseProgress,
    LessonLink,
    StudyRecord,
    course_progress,
    study_records,
)
from courses.selectors.schedule import attendance_note, not_started_notice
from school.models import User
from school.selectors import schools_for_navigation


@dataclass(frozen=True)
class EnrollmentRow:
    """An enrolment with its class and course, as one row of one query reads it."""

    pk: int
    class_id: int
    status: str
    completed_at: datetime | None
    last_lesson_id: int | None
    class_number: int
    class_level: str
    starts_on: date
    ends_on: date
    site_name: str | None
    course_title: str
    course_url_path: str
    course_path: str
    attendance_threshold: int


# EnrollmentRow's fields and where each is read from (plain values(): Django
# builds them faster than F() aliases).
_ENROLLMENT_ROW = {
    "pk": "pk",
    "class_id": "training_class_id",
    "status": "status",
    "completed_at": "completed_at",
    "last_lesson_id": "last_lesson_id",
    "class_number": "training_class__number",
    "class_level": "training_class__level",
    "starts_on": "training_class__starts_on",
    "ends_on": "training_class__ends_on",
    "site_name": "training_class__practice_site__name",
    "course_title": "training_class__course__title",
    "course_url_path": "training_class__course__url_path",
    "course_path": "training_class__course__path",
    "attendance_threshold": "training_class__course__attendance_threshold",
}


@dataclass(frozen=True)
class SessionMark:
    """A booked session that has ended, with the trainee's mark (or 未记录)."""

    time_label: str
    title: str
    status: str  # an AttendanceRecord.Status, or "unrecorded"
    label: str


@dataclass(frozen=True)
class CheckInNow:
    """A booked session whose self check-in window is open now."""

    session_id: int
    course_title: str
    time_label: str
    url: str


@dataclass(frozen=True)
class LearningRow:
    """One enrolment on 我的学习, its labels made once here rather than by
    template filters on every card."""

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
    starts_notice: str = ""
    attendance_note: str = ""
    sessions_url: str = ""  # the class's practice sessions, when it has some to book
    attendance: AttendanceRate = NO_MARKS
    marks: tuple[SessionMark, ...] = ()


@dataclass(frozen=True)
class CatalogueLink:
    """A school's catalogue, linked from 我的学习."""

    title: str
    school: str
    url: str | None


def dashboard_context(user: User, request: HttpRequest | None = None) -> dict:
    """我的学习: the trainee's classes with status, a progress bar and the lesson to
    resume for each, the courses completed, 我的预约, and links to the catalogues.
    The same queries however many enrolments and bookings."""
    enrollments = _enrollment_rows(user)
    catalogue_rows = list(
        CourseIndexPage.objects.live().order_by("path").values("title", "url_path")
    )
    # Courses and lessons sit below the catalogues: their URLs follow from these.
    url_of = url_from_path([row["url_path"] for row in catalogue_rows])
    lessons: dict[str, list[LessonLink]] = {}
    records: dict[int, StudyRecord] = {}
    rates: dict[int, AttendanceRate] = {}
    marks: dict[int, list[SessionMark]] = {}
    check_in_now: list[CheckInNow] = []
    if enrollments:
        lessons = _lessons_by_course({row.course_path for row in enrollments}, url_of)
        records = study_records(trainee=user)
        rates = attendance_rates([row.pk for row in enrollments])
        marks, check_in_now = _session_marks(user)
    labels = _Labels()
    today = timezone.localdate()
    with_sessions = classes_with_sessions(
        [row.class_id for row in enrollments if row.status in Enrollment.SEAT_STATUSES]
    )
    learning = [
        _learning_row(
            row,
            lessons.get(row.course_path, []),
            records,
            labels,
            url_of,
            today,
            with_sessions,
            rates.get(row.pk, NO_MARKS),
            marks.get(row.class_id, []),
        )
        for row in enrollments
    ]
    Status = Enrollment.Status
    current = [row for row in learning if row.status in (Status.ACTIVE, Status.PENDING)]
    completed = [row for row in learning if row.status == Status.COMPLETED]
    ended = [
        row for row in learning if row.status in (Status.WITHDRAWN, Status.REJECTED)
    ]
    return {
        "catalogues": _catalogue_links(catalogue_rows, url_of, request),
        "current": current,
        "completed": completed,
        "ended": ended,
        "sections": _sections(current, completed),
        "bookings": my_bookings(user),
        "check_in_now": check_in_now,
        "attendance_rows": [
            row for row in current + completed if row.attendance.counted or row.marks
        ],
    }


def _enrollment_rows(user: User) -> list[EnrollmentRow]:
    """All the trainee's enrolments, newest first, with their class and course."""
    return [
        EnrollmentRow(**{name: row[lookup] for name, lookup in _ENROLLMENT_ROW.items()})
        for row in Enrollment.objects.for_trainee(user)
        .order_by("-created_at", "-pk")
        .values(*_ENROLLMENT_ROW.values())
    ]


def _lessons_by_course(course_paths: set[str], url_of) -> dict[str, list[LessonLink]]:
    """The live lessons of these courses, in order, by their course's tree path: one
    query, the lessons found as children by path rather than by a join per
    course."""
    lessons: dict[str, list[LessonLink]] = defaultdict(list)
    for row in (
        LessonPage.objects.live()
        .filter(depth__in={len(path) // Page.steplen + 1 for path in course_paths})
        .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
        .filter(parent_path__in=course_paths)
        .order_by("path")
        .values("pk", "title", "path", "url_path", "has_quiz")
    ):
        lessons[row["path"][: -Page.steplen]].append(
            LessonLink(
                pk=row["pk"],
                title=row["title"],
                url=url_of(row["url_path"]),
                has_quiz=row["has_quiz"],
            )
        )
    return lessons


def _session_marks(user: User) -> tuple[dict[int, list[SessionMark]], list]:
    """The trainee's confirmed bookings of class sessions that have begun or are
    about to, in one query: the ended ones with their mark, by class, and those
    whose self check-in window is open now (not yet checked in)."""
    now = timezone.now()
    rows = (
        Booking.objects.confirmed()
        .filter(
            trainee=user,
            session__classsession__isnull=False,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=now + checkin_window.OPENS_BEFORE_START,
        )
        .order_by("session__starts_at", "pk")
        .values(
            "session_id",
            "session__starts_at",
            "session__ends_at",
            "session__classsession__training_class_id",
            "session__classsession__title",
            "session__classsession__training_class__course__title",
            "attendance__status",
        )
    )
    labels = {value: str(label) for value, label in AttendanceRecord.Status.choices}
    unrecorded = _("未记录")
    attended = {AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE}
    self_url = reverse("checkin:self", args=[0]).replace("/0/", "/{}/")
    marks: dict[int, list[SessionMark]] = defaultdict(list)
    now_open: list[CheckInNow] = []
    for row in rows:
        starts_at, ends_at = row["session__starts_at"], row["session__ends_at"]
        status = row["attendance__status"]
        label = time_label(starts_at, ends_at)
        if checkin_window.window_is_open(starts_at, now) and status not in attended:
            now_open.append(
                CheckInNow(
                    session_id=row["session_id"],
                    course_title=row[
                        "session__classsession__training_class__course__title"
                    ],
                    time_label=label,
                    url=self_url.format(row["session_id"]),
                )
            )
        if ends_at <= now:
            marks[row["session__classsession__training_class_id"]].append(
                SessionMark(
                    time_label=label,
                    title=row["session__classsession__title"],
                    status=status or "unrecorded",
                    label=labels[status] if status else unrecorded,
                )
            )
    return marks, now_open


class _Labels:
    """The words of the cards, each translated once, not once per card."""

    def __init__(self) -> None:
        self.statuses = {
            value: str(label) for value, label in Enrollment.Status.choices
        }
        self.levels = {value: str(label) for value, label in ClassLevel.choices}
        self.class_format = _("第 %(number)s 期 · %(level)s")
        self.completed_format = _("%(date)s 结业")
        self.sessions_url = reverse("courses:class_sessions", args=[0]).replace(
            "/0/", "/{}/"
        )


def _learning_row(
    row: EnrollmentRow,
    lessons: list[LessonLink],
    records: dict[int, StudyRecord],
    labels: _Labels,
    url_of,
    today: date,
    with_sessions: set[int],
    attendance: AttendanceRate = NO_MARKS,
    marks: list[SessionMark] | None = None,
) -> LearningRow:
    """One card of 我的学习: the enrolment's labels and its progress; while the
    class has not started, when it starts; for a course that needs attendance,
    that it does."""
    completed_label = ""
    if row.completed_at:
        completed_on = f"{timezone.localtime(row.completed_at):%Y-%m-%d}"
        completed_label = labels.completed_format % {"date": completed_on}
    return LearningRow(
        enrollment_id=row.pk,
        status=row.status,
        status_label=labels.statuses[row.status],
        course_title=row.course_title,
        course_url=url_of(row.course_url_path),
        class_label=labels.class_format
        % {"number": row.class_number, "level": labels.levels[row.class_level]},
        dates_label=f"{row.starts_on:%Y-%m-%d} — {row.ends_on:%Y-%m-%d}",
        completed_label=completed_label,
        site_name=row.site_name,
        progress=course_progress(
            lessons,
            records[row.pk],
            status=row.status,
            last_lesson_id=row.last_lesson_id,
        ),
        starts_notice=not_started_notice(row.starts_on, today)
        if row.status == Enrollment.Status.ACTIVE
        else "",
        attendance_note=attendance_note(row.attendance_threshold, row.status),
        sessions_url=labels.sessions_url.format(row.class_id)
        if row.class_id in with_sessions
        else "",
        attendance=attendance,
        marks=tuple(marks or ()),
    )


def _catalogue_links(
    catalogue_rows: list[dict], url_of, request: HttpRequest | None
) -> list[CatalogueLink]:
    """Each catalogue with the school it belongs to: the school whose path is the
    longest prefix of the catalogue's. The schools are in the header already (read
    once per request)."""
    schools = sorted(
        schools_for_navigation(request),
        key=lambda school: len(school.url_path),
        reverse=True,
    )
    return [
        CatalogueLink(
            title=row["title"],
            school=next(
                (
                    school.title
                    for school in schools
                    if row["url_path"].startswith(school.url_path)
                ),
                "",
            ),
            url=url_of(row["url_path"]),
        )
        for row in catalogue_rows
    ]


def _sections(current: list[LearningRow], completed: list[LearningRow]) -> list[dict]:
    return [
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
    ]
