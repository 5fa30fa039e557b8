"""The reports as files: CSV streamed as it is written, XLSX sent from a
temporary file, both read back (csv, openpyxl) with the rows the pages show; the
attendance-record export has one row per record of a held session."""

import csv
import io

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from courses.models import AttendanceRecord
from tests.courses import test_reports
from tests.courses.test_reports import P, _more, enrol, mark
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

term = test_reports.term  # the hand-computed term, as a fixture here too

RECORD_HEADERS = [
    "姓名",
    "所属单位",
    "培训班",
    "场次时间",
    "实践教学点",
    "出勤情况",
    "方式",
    "记录人",
    "记录时间",
]


def export(client, name: str, file_format: str, *args, query: str = ""):
    url = reverse(f"course_reports:{name}", args=[*args, file_format])
    response = client.get(url + query)
    assert response.status_code == 200
    return response


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    assert isinstance(response, FileResponse)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def reader(client, school_admin):
    client.force_login(school_admin)
    return client


def test_the_record_export_has_a_row_per_record_of_a_held_session(reader, term):
    rows = read_csv(export(reader, "export", "csv", "records"))

    assert rows[0] == RECORD_HEADERS
    assert len(rows) == 1 + 10  # A3 was cancelled: its two records are left out
    first = rows[1]  # A1, the earliest session, first marked
    assert first == [
        "张三",
        "测试街道 › 桃园社区 › 第1网格",
        f"公益理念（第 {term.class_a.number} 期）",
        "2026-10-10 19:00",
        "桃园社区党群服务中心",
        "出勤",
        "点名",
        "李讲师",
        first[8],
    ]
    assert {row[4] for row in rows[1:]} == {"桃园社区党群服务中心", "线上"}
    assert [row[5] for row in rows[1:]].count("请假") == 2


def test_the_record_export_as_xlsx_reads_back_the_same(reader, term):
    from_csv = read_csv(export(reader, "export", "csv", "records"))
    rows = read_xlsx(export(reader, "export", "xlsx", "records"))

    assert rows[0] == RECORD_HEADERS
    assert len(rows) == len(from_csv)
    assert rows[1][:3] == from_csv[1][:3]
    assert rows[1][3].strftime("%Y-%m-%d %H:%M") == "2026-10-10 19:00"  # a date


def test_the_record_export_keeps_to_the_dates(reader, term):
    rows = read_csv(
        export(
            reader, "export", "csv", "records", query="?start=2026-11-01&end=2026-11-20"
        )
    )

    assert [row[3] for row in rows[1:]] == ["2026-11-05 09:00"] * 3 + [
        "2026-11-20 14:00"
    ] * 2


def test_the_record_export_takes_the_same_queries_for_more_records(reader, term):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            read_csv(export(reader, "export", "csv", "records"))
        return len(captured)

    small = queries()
    _more(term, 15)
    assert queries() == small


def test_a_name_that_looks_like_a_formula_stays_text(reader, term):
    sly = UserFactory(real_name="=HYPERLINK(1)", org_unit=term.grid)
    enrol(term.class_a, sly)
    mark(term.a1, sly, P)

    csv_rows = read_csv(export(reader, "export", "csv", "records"))
    assert "'=HYPERLINK(1)" in [row[0] for row in csv_rows]
    xlsx = load_workbook(
        io.BytesIO(
            b"".join(export(reader, "export", "xlsx", "records").streaming_content)
        )
    ).worksheets[0]
    cells = [row[0] for row in xlsx.iter_rows() if row[0].value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"


def test_the_class_grid_exports_as_the_page_shows_it(reader, term):
    page = reader.get(reverse("course_reports:class", args=[term.class_a.pk]))
    rows = read_csv(export(reader, "export_class", "csv", term.class_a.pk))

    assert rows[0] == page.context["headers"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["张三"][2:4] == ["出勤", "迟到"]
    assert by_name["张三"][-1] == "75"
    assert by_name["全班"][-1] == "60"
    sheet = read_xlsx(export(reader, "export_class", "xlsx", term.class_a.pk))
    assert [row[0] for row in sheet] == [row[0] for row in rows]


@pytest.mark.parametrize(
    "name, page",
    [
        ("sites", "sites"),
        ("units", "units"),
        ("person-times", "person_times"),
        ("teaching-hours", "teaching_hours"),
    ],
)
def test_each_summary_exports_its_rows_in_both_formats(reader, term, name, page):
    shown = reader.get(reverse(f"course_reports:{page}")).context
    rows = read_csv(export(reader, "export", "csv", name))
    sheet = read_xlsx(export(reader, "export", "xlsx", name))

    assert rows[0] == shown["headers"] == list(sheet[0])
    assert len(rows) == len(sheet) == 1 + len(shown["rows"])
    assert [row[0] for row in rows[1:]] == [row[0] for row in shown["rows"]]


def test_the_person_times_export_has_a_total_row(reader, term):
    rows = read_csv(export(reader, "export", "csv", "person-times"))

    assert rows[1:] == [
        ["2026-10", "2", "0", "0", "0", "2", "2"],
        ["2026-11", "2", "2", "0", "2", "2", "4"],
        ["合计", "4", "2", "0", "2", "4", "6"],
    ]


def test_the_trainee_export_lists_each_class(reader, term):
    rows = read_csv(export(reader, "export_trainee", "csv", term.zhang.pk))

    assert len(rows) == 3
    rates = sorted(row[6] for row in rows[1:])
    assert rates == ["40", "75"]


def test_the_teaching_hours_export_gives_hours_per_month(reader, term):
    rows = read_csv(export(reader, "export", "csv", "teaching-hours"))

    assert sorted(rows[1:]) == [
        ["周讲师", "2026-11", "1", "3.0"],
        ["李讲师", "2026-10", "1", "2.0"],
        ["李讲师", "2026-11", "2", "4.5"],
    ]


def test_every_record_exported_is_counted_once(reader, term):
    rows = read_csv(export(reader, "export", "csv", "records"))
    assert (
        len(rows) - 1
        == AttendanceRecord.objects.filter(session__cancelled_at__isnull=True).count()
    )
