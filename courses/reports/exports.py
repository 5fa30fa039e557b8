"""Every report as a table (headers and rows) and any table as a CSV or XLSX file
that streams: rows are written as they come, so the 20,000-row attendance-record
export never holds its rows in memory. (courses.rosters builds its small files
whole; these use their own path and the same cell rules.)

CSV goes out as it is written (StreamingHttpResponse); an XLSX is a zip that can
only be closed at the end, so openpyxl's write-only workbook fills a temporary
file row by row and the file is sent from disk (FileResponse).
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from courses.models import AttendanceRecord
from courses.reports.figures import (
    ClassGrid,
    Period,
    PersonTimes,
    PlaceFigures,
    TraineeClassRow,
    class_records,
    status_labels,
)
from courses.reports.teaching import TeachingHours
from courses.rosters import FORMULA_PREFIXES, safe_filename
from school.models import OrgUnit
from school.selectors import unit_names

CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Table = tuple[list[str], Iterable[list]]


def _local(moment: datetime | None) -> datetime | None:
    """A moment as a naive local datetime, as spreadsheets take it."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _text(value) -> str | int:
    """A CSV cell. A leading =, +, - or @ would make a spreadsheet run the cell
    as a formula: a quote keeps it text."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


# --- the streaming writers --------------------------------------------------------


class _Line:
    """A file-like object csv.writer writes one line into, handed back at once."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The table as UTF-8 CSV lines, a byte-order mark first (so Excel reads the
    Chinese right), produced one row at a time."""
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(headers)).encode("utf-8")
    for row in rows:
        yield writer.writerow([_text(value) for value in row]).encode("utf-8")


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    headers, rows = table
    return StreamingHttpResponse(
        csv_lines(headers, rows),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                True, safe_filename(filename, "csv")
            )
        },
    )


def write_xlsx(table: Table, *, title: str, into) -> None:
    """The table as an Excel sheet written into the open binary file `into`;
    openpyxl's write-only mode keeps only the row in hand. Dates stay dates, text
    never runs as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    headers, rows = table
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value)
                cell.data_type = "s"  # never a formula, whatever the text
                value = cell
            elif isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = "yyyy-mm-dd hh:mm"
                value = cell
            cells.append(value)
        sheet.append(cells)
    workbook.save(into)


def xlsx_response(table: Table, filename: str, *, title: str) -> FileResponse:
    """The sheet built in a temporary file (removed when the response closes it)
    and sent from there."""
    # The response closes (and so removes) the file once it is sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(table, title=title, into=spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=safe_filename(filename, "xlsx"),
        content_type=XLSX,
    )


# --- the reports as tables ----------------------------------------------------------


def _rate_cells(rate) -> list:
    return [rate.present, rate.late, rate.excused, rate.absent, rate.percent]


def _rate_headers() -> list[str]:
    return [_("出勤"), _("迟到"), _("请假"), _("缺勤"), _("出勤率（%）")]


def class_grid_table(grid: ClassGrid) -> Table:
    labels = status_labels()
    headers = [
        _("姓名"),
        _("所属单位"),
        *(
            timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
            for session in grid.sessions
        ),
        *_rate_headers(),
    ]
    rows = [
        [
            row.trainee.real_name,
            row.unit,
            *(labels.get(mark, "—") for mark in row.marks),
            *_rate_cells(row.rate),
        ]
        for row in grid.rows
    ]
    rows.append(
        [_("全班"), "", *("" for _session in grid.sessions), *_rate_cells(grid.rate)]
    )
    return headers, rows


def place_table(places: list[PlaceFigures], *, first: str) -> Table:
    headers = [first, _("开展场次"), _("人次"), *_rate_headers()]
    rows = [
        [place.name, place.sessions, place.person_times, *_rate_cells(place.rate)]
        for place in places
    ]
    return headers, rows


def trainee_table(rows: list[TraineeClassRow]) -> Table:
    labels = status_labels()
    headers = [_("培训班"), _("报名状态"), *_rate_headers(), _("各场次出勤")]
    table = [
        [
            str(row.enrollment.training_class),
            row.enrollment.get_status_display(),
            *_rate_cells(row.rate),
            "；".join(
                f"{timezone.localtime(when):%m-%d} {labels[status]}"
                for when, status in row.marks
            ),
        ]
        for row in rows
    ]
    return headers, table


def person_times_table(figures: PersonTimes) -> Table:
    headers = [
        _("月份"),
        *(name for _pk, name in figures.schools),
        *(str(label) for _value, label in figures.levels),
        _("合计"),
    ]
    rows = [
        [f"{m.month:%Y-%m}", *m.by_school, *m.by_level, m.total] for m in figures.months
    ]
    if rows:
        columns = list(zip(*rows, strict=True))[1:]
        rows.append([_("合计"), *(sum(column) for column in columns)])
    return headers, rows


def teaching_hours_table(rows: list[TeachingHours]) -> Table:
    headers = [_("讲师"), _("月份"), _("场次"), _("课时（小时）")]
    return headers, [
        [row.name, f"{row.month:%Y-%m}", row.sessions, float(row.hours)] for row in rows
    ]


RECORD_FIELDS = (
    "trainee__real_name",
    "trainee__org_unit_id",
    "session__classsession__training_class__course__title",
    "session__classsession__training_class__number",
    "session__starts_at",
    "session__classsession__practice_site__name",
    "status",
    "method",
    "marked_by__real_name",
    "marked_at",
)


def attendance_records_table(period: Period) -> Table:
    """One row per attendance record of held class sessions in the period, read
    from the database in chunks of CHUNK as the file is written."""
    statuses = status_labels()
    methods = {value: str(label) for value, label in AttendanceRecord.Method.choices}
    units = unit_names(list(OrgUnit.objects.all()))
    headers = [
        _("姓名"),
        _("所属单位"),
        _("培训班"),
        _("场次时间"),
        _("实践教学点"),
        _("出勤情况"),
        _("方式"),
        _("记录人"),
        _("记录时间"),
    ]
    records = (
        class_records(period)
        .order_by("session__starts_at", "session_id", "pk")
        .values_list(*RECORD_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    class_name = _("%(course)s（第 %(number)s 期）")

    def rows() -> Iterator[list]:
        for (
            name,
            unit,
            course,
            number,
            starts_at,
            site,
            status,
            method,
            marked_by,
            marked_at,
        ) in records:
            yield [
                name,
                units.get(unit, ""),
                class_name % {"course": course, "number": number},
                _local(starts_at),
                site or _("线上"),
                statuses.get(status, status),
                methods.get(method, method),
                marked_by or "",
                _local(marked_at),
            ]

    return headers, rows()
