"""A training class as its instructors and administrators see it: the roster
(花名册) with progress and quiz scores, quiz results per lesson, and the roster as a
CSV or XLSX file. Every read takes a fixed number of queries, however large the
class."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import (
    Enrollment,
    LessonPage,
    QuizAttempt,
    QuizAttemptGrant,
    TrainingClass,
)
from courses.selectors import course_lessons, course_progress, study_records
from school.models import User
from school.selectors import unit_names


@dataclass(frozen=True)
class RosterRow:
    """One enrolment on the roster. `quiz_scores` holds the best score of each quiz
    lesson, in the order of `Roster.quiz_lessons` (None: not attempted)."""

    enrollment: Enrollment
    unit: str
    progress: int
    quiz_scores: tuple[int | None, ...]

    @property
    def trainee(self) -> User:
        return self.enrollment.trainee


@dataclass(frozen=True)
class Roster:
    training_class: TrainingClass
    quiz_lessons: list[LessonPage]
    rows: list[RosterRow]

    @property
    def pending(self) -> list[RosterRow]:
        """Requests awaiting an administrator's decision."""
        return [
            row
            for row in self.rows
            if row.enrollment.status == Enrollment.Status.PENDING
        ]


def class_roster(training_class: TrainingClass) -> Roster:
    """Everyone pending, studying or completed in the class, with their progress
    (as the trainee sees it on 我的学习: selectors.course_progress) and best quiz
    scores. Withdrawn and rejected enrolments are not on the roster; their events
    keep the history."""
    lessons = course_lessons(training_class.course)
    quiz_lessons = [lesson for lesson in lessons if lesson.has_quiz]
    enrollments = list(
        Enrollment.objects.live()
        .filter(training_class=training_class)
        .select_related("trainee__org_unit")
        .order_by("created_at", "pk")
    )
    records = study_records(training_class=training_class)
    best = {
        (row["enrollment_id"], row["lesson_id"]): row["best"]
        for row in QuizAttempt.objects.filter(
            enrollment__training_class=training_class,
            lesson_id__in=[lesson.pk for lesson in quiz_lessons],
        )
        .values("enrollment_id", "lesson_id")
        .annotate(best=Max("score"))
        .order_by()
    }
    units = unit_names([enrollment.trainee.org_unit for enrollment in enrollments])
    rows = [
        RosterRow(
            enrollment=enrollment,
            unit=units.get(enrollment.trainee.org_unit_id, ""),
            progress=course_progress(
                lessons, records[enrollment.pk], enrollment=enrollment
            ).percent,
            quiz_scores=tuple(
                best.get((enrollment.pk, lesson.pk)) for lesson in quiz_lessons
            ),
        )
        for enrollment in enrollments
    ]
    return Roster(training_class, quiz_lessons, rows)


@dataclass(frozen=True)
class QuizResultRow:
    enrollment: Enrollment
    attempts: list[QuizAttempt]
    grants: tuple[QuizAttemptGrant, ...] = ()

    @property
    def granted(self) -> int:
        return sum(grant.extra for grant in self.grants)

    @property
    def best(self) -> int | None:
        return max((attempt.score for attempt in self.attempts), default=None)

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)


@dataclass(frozen=True)
class QuizResult:
    """One quiz lesson of the class: each trainee's attempts, best score, passed."""

    lesson: LessonPage
    pass_mark: int
    max_attempts: int
    rows: list[QuizResultRow]

    @property
    def passed_count(self) -> int:
        return sum(1 for row in self.rows if row.passed)


def class_quiz_results(training_class: TrainingClass) -> list[QuizResult]:
    """Quiz results of every trainee holding a seat, per lesson that has a quiz.
    Trainees who have not attempted a quiz are listed with no attempts."""
    quiz_lessons = [
        lesson for lesson in course_lessons(training_class.course) if lesson.has_quiz
    ]
    enrollments = list(
        Enrollment.objects.filter(
            training_class=training_class, status__in=Enrollment.SEAT_STATUSES
        )
        .select_related("trainee")
        .order_by("created_at", "pk")
    )
    attempts: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    for attempt in QuizAttempt.objects.filter(
        enrollment__training_class=training_class,
        lesson_id__in=[lesson.pk for lesson in quiz_lessons],
    ).order_by("number"):
        attempts[(attempt.enrollment_id, attempt.lesson_id)].append(attempt)
    grants: dict[tuple[int, int], list[QuizAttemptGrant]] = defaultdict(list)
    for grant in QuizAttemptGrant.objects.filter(
        enrollment__training_class=training_class,
        lesson_id__in=[lesson.pk for lesson in quiz_lessons],
    ).select_related("actor"):
        grants[(grant.enrollment_id, grant.lesson_id)].append(grant)
    return [
        QuizResult(
            lesson=lesson,
            pass_mark=lesson.quiz["pass_mark"],
            max_attempts=lesson.quiz["max_attempts"],
            rows=[
                QuizResultRow(
                    enrollment,
                    attempts[(enrollment.pk, lesson.pk)],
                    tuple(grants[(enrollment.pk, lesson.pk)]),
                )
                for enrollment in enrollments
            ],
        )
        for lesson in quiz_lessons
    ]


# Export

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def search_roster(roster: Roster, *, query: str = "", status: str = "") -> Roster:
    """The roster narrowed to the rows whose name, phone or unit contains `query`
    and whose status is `status` (either may be empty: no narrowing)."""
    query = query.strip()
    rows = [
        row
        for row in roster.rows
        if (not status or row.enrollment.status == status)
        and (
            not query
            or query in row.trainee.real_name
            or query in row.trainee.phone
            or query in row.unit
        )
    ]
    return Roster(roster.training_class, roster.quiz_lessons, rows)


def roster_table(
    roster: Roster, *, full_phone: bool = False
) -> tuple[list[str], list[list]]:
    """The roster as headers and rows of plain values, for CSV and XLSX alike.
    Phones are masked in exports too (a file travels further than a screen),
    unless the reader holds courses.view_full_phone (`full_phone`)."""
    headers = [
        _("序号"),
        _("姓名"),
        _("手机号"),
        _("所属单位"),
        _("状态"),
        _("报名时间"),
        _("学习进度（%）"),
        *[
            _("《%(lesson)s》测验最高分") % {"lesson": lesson.title}
            for lesson in roster.quiz_lessons
        ],
    ]
    rows = [
        [
            number,
            row.trainee.real_name,
            row.trainee.phone if full_phone else row.trainee.masked_phone,
            row.unit,
            row.enrollment.get_status_display(),
            timezone.localtime(row.enrollment.created_at).replace(tzinfo=None),
            row.progress,
            *row.quiz_scores,
        ]
        for number, row in enumerate(roster.rows, start=1)
    ]
    return headers, rows


def export_filename(training_class: TrainingClass, extension: str) -> str:
    name = _("%(course)s-第%(number)s期-花名册") % {
        "course": training_class.course.title,
        "number": training_class.number,
    }
    return safe_filename(name, extension)


def safe_filename(name: str, extension: str) -> str:
    """The name with characters some file systems refuse replaced by "_"."""
    name = "".join("_" if char in '\\/:*?"<>|' else char for char in name)
    return f"{name}.{extension}"


def _text(value) -> str:
    """A cell as text. A leading =, +, - or @ would make a spreadsheet run the cell
    as a formula: a quote keeps it text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def roster_csv(roster: Roster, *, full_phone: bool = False) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    return table_csv(*roster_table(roster, full_phone=full_phone))


def table_csv(headers: list[str], rows: list[list]) -> bytes:
    """Any table as a CSV file Excel opens correctly (UTF-8 with a byte-order
    mark); text cells never run as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [value if isinstance(value, int) else _text(value) for value in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def roster_xlsx(roster: Roster, *, full_phone: bool = False) -> bytes:
    """The roster as an Excel sheet; text cells never run as formulas."""
    return table_xlsx(*roster_table(roster, full_phone=full_phone), title=_("花名册"))


def table_xlsx(headers: list[str], rows: list[list], *, title: str) -> bytes:
    """Any table as an Excel sheet named `title`; dates stay dates, text cells
    never run as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
