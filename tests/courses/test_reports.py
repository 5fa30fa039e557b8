"""统计报表: the figures on a small term worked out by hand (late credit counts at
the school's weight, excused marks do not count, cancelled sessions count
nowhere), a fixed number of queries however much data, and the pages for
administrators only.

The term (local time), late credit 50 % at the Grid School, 80 % at the Academy:

    A1 2026-10-10 19:00–21:00 site  班A  李讲师      张三 出勤  李四 迟到  王五 缺勤
    A2 2026-11-05 09:00–10:30 site  班A  李讲师      张三 迟到  李四 请假  王五 出勤
    A3 2026-11-12 (cancelled)   site  班A  李讲师      张三 出勤  李四 出勤
    B1 2026-11-20 14:00–17:00 线上  班B  李讲师 周讲师 张三 迟到  王五 出勤
    B2 2026-11-25 14:00–16:00 线上  班B  周讲师      张三 缺勤  王五 请假

班A (Grid School, 区级): 张三 1.5/2 = 75 %, 李四 0.5/1 = 50 %, 王五 1/2 = 50 %;
the class 3/5 = 60 %. 班B (Academy, 市级): 张三 0.8/2 = 40 %, 王五 1/1 = 100 %;
the class 1.8/3 = 60 %. 张三 and 李四 live in 测试街道, 王五 in 杏花街道.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.attendance import credit_for
from courses.models import (
    AttendanceRecord,
    Booking,
    ClassLevel,
    Enrollment,
)
from courses.reports import (
    Period,
    class_grid,
    person_times_by_month,
    site_figures,
    teaching_hours,
    trainee_classes,
    unit_figures,
)
from school import roles
from school.models import OrgUnit
from tests.courses.factories import (
    ClassSessionFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    TrainingClassFactory,
)
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status
P, L, E, A = Status.PRESENT, Status.LATE, Status.EXCUSED, Status.ABSENT


def at(year, month, day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def session(training_class, starts_at, hours, *, site=None, instructors=()):
    made = ClassSessionFactory(
        training_class=training_class,
        starts_at=starts_at,
        ends_at=starts_at + timezone.timedelta(hours=hours),
        booking_closes_at=starts_at - timezone.timedelta(days=1),
        practice_site=site,
        meeting_url="" if site else "https://meeting.example.com/1",
    )
    made.instructors.set(instructors)
    return made


def mark(held, trainee, status, *, late_credit=50, marked_by=None):
    """A confirmed booking and its record, as record_attendance leaves them."""
    booking = Booking.objects.create(
        session_id=held.pk,
        trainee=trainee,
        status=Booking.Status.CONFIRMED,
        confirmed_at=held.booking_closes_at,
    )
    enrollment = Enrollment.objects.live().get(
        training_class_id=held.training_class_id, trainee=trainee
    )
    return AttendanceRecord.objects.create(
        session_id=held.pk,
        booking=booking,
        trainee=trainee,
        enrollment=enrollment,
        status=status,
        credit=credit_for(status, late_credit),
        method=AttendanceRecord.Method.ROSTER,
        marked_by=marked_by,
    )


def enrol(training_class, *people):
    for person in people:
        Enrollment.objects.create(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )


@pytest.fixture
def term(
    grid_school, volunteer_academy, course, practice_site, instructor, grid, community
):
    """The term of the module docstring, as a namespace of what it made."""
    volunteer_academy.late_credit = 80
    volunteer_academy.save()
    academy_index = CourseIndexPageFactory(
        parent=volunteer_academy, title="课程", slug="academy-courses"
    )
    academy_course = CoursePageFactory(
        parent=academy_index, title="志愿服务基础", slug="zyfw"
    )
    district = community.get_parent().get_parent()
    other_street = OrgUnitFactory(
        parent=district, name="杏花街道", kind=OrgUnit.Kind.STREET
    )
    other_community = OrgUnitFactory(
        parent=other_street, name="杏花社区", kind=OrgUnit.Kind.COMMUNITY
    )
    zhang = UserFactory(real_name="张三", org_unit=grid, role=roles.TRAINEE)
    li = UserFactory(real_name="李四", org_unit=community, role=roles.TRAINEE)
    wang = UserFactory(real_name="王五", org_unit=other_community, role=roles.TRAINEE)
    zhou = UserFactory(real_name="周讲师", role=roles.INSTRUCTOR)

    class_a = TrainingClassFactory(course=course, level=ClassLevel.DISTRICT)
    class_b = TrainingClassFactory(course=academy_course, level=ClassLevel.CITY)
    enrol(class_a, zhang, li, wang)
    enrol(class_b, zhang, wang)

    site = practice_site
    a1 = session(class_a, at(2026, 10, 10, 19), 2, site=site, instructors=[instructor])
    a2 = session(class_a, at(2026, 11, 5, 9), 1.5, site=site, instructors=[instructor])
    a3 = session(class_a, at(2026, 11, 12, 19), 2, site=site, instructors=[instructor])
    b1 = session(class_b, at(2026, 11, 20, 14), 3, instructors=[instructor, zhou])
    b2 = session(class_b, at(2026, 11, 25, 14), 2, instructors=[zhou])
    for held, marks, late_credit in (
        (a1, {zhang: P, li: L, wang: A}, 50),
        (a2, {zhang: L, li: E, wang: P}, 50),
        (a3, {zhang: P, li: P}, 50),
        (b1, {zhang: L, wang: P}, 80),
        (b2, {zhang: A, wang: E}, 80),
    ):
        for person, status in marks.items():
            mark(held, person, status, late_credit=late_credit, marked_by=instructor)
    a3.cancelled_at = at(2026, 11, 11, 9)
    a3.save(update_fields=["cancelled_at"])

    class Term:
        pass

    made = Term()
    made.__dict__.update(locals())
    return made


# --- the figures --------------------------------------------------------------------


def test_a_class_grid_shows_each_mark_and_rates_with_late_credit_and_no_excused(term):
    grid = class_grid(term.class_a)

    assert [s.pk for s in grid.sessions] == [term.a1.pk, term.a2.pk]  # A3 cancelled
    rows = {row.trainee.real_name: row for row in grid.rows}
    assert rows["张三"].marks == (P, L)
    assert rows["李四"].marks == (L, E)
    assert rows["王五"].marks == (A, P)
    assert rows["张三"].rate.percent == 75
    assert rows["李四"].rate.percent == 50  # the excused mark is not counted
    assert rows["王五"].rate.percent == 50
    assert rows["张三"].unit == "测试街道 › 桃园社区 › 第1网格"
    assert grid.rate.percent == 60
    assert grid.rate.counted == 5


def test_the_academy_class_counts_late_at_its_own_weight(term):
    grid = class_grid(term.class_b)

    rows = {row.trainee.real_name: row for row in grid.rows}
    assert rows["张三"].rate.credit == Decimal("0.8")
    assert rows["张三"].rate.percent == 40
    assert rows["王五"].rate.percent == 100
    assert grid.rate.percent == 60


def test_sites_count_held_sessions_person_times_and_rate_without_cancelled(term):
    figures = {row.name: row for row in site_figures()}

    site = figures["桃园社区党群服务中心"]
    assert (site.sessions, site.person_times, site.rate.percent) == (2, 4, 60)
    online = figures["线上"]
    assert (online.sessions, online.person_times, online.rate.percent) == (2, 2, 60)


def test_site_figures_keep_to_the_period(term):
    figures = {row.name: row for row in site_figures(Period(date(2026, 11, 1)))}

    site = figures["桃园社区党群服务中心"]
    assert (site.sessions, site.person_times) == (1, 2)  # A2 only


def test_a_unit_counts_its_members_and_those_of_every_unit_beneath(term):
    streets = {row.name: row for row in unit_figures()}

    mine = streets["测试街道"]  # 张三 in a grid under it, 李四 in its community
    assert (mine.sessions, mine.person_times) == (4, 4)
    assert mine.rate.counted == 5
    assert mine.rate.percent == 56  # (1 + .5 + .8 + 0 + .5) / 5
    other = streets["杏花街道"]
    assert (other.sessions, other.person_times, other.rate.percent) == (4, 2, 66)

    communities = {row.name: row for row in unit_figures(kind=OrgUnit.Kind.COMMUNITY)}
    assert communities["测试街道 › 桃园社区"].person_times == 4
    grids = {row.name: row for row in unit_figures(kind=OrgUnit.Kind.GRID)}
    assert grids["测试街道 › 桃园社区 › 第1网格"].person_times == 3  # 张三 only


def test_a_trainee_sees_each_class_with_rate_and_marks(term):
    rows = {
        row.enrollment.training_class_id: row for row in trainee_classes(term.zhang)
    }

    assert rows[term.class_a.pk].rate.percent == 75
    assert [status for _when, status in rows[term.class_a.pk].marks] == [P, L]
    assert rows[term.class_b.pk].rate.percent == 40
    assert [status for _when, status in rows[term.class_b.pk].marks] == [L, A]


def test_person_times_per_month_by_school_and_level(term):
    figures = person_times_by_month()

    assert [name for _pk, name in figures.schools] == ["网格学校", "志愿者培训学院"]
    assert [value for value, _label in figures.levels] == [
        "provincial",
        "city",
        "district",
    ]
    months = {m.month: m for m in figures.months}
    assert list(months) == [date(2026, 10, 1), date(2026, 11, 1)]
    october, november = months[date(2026, 10, 1)], months[date(2026, 11, 1)]
    assert (october.by_school, october.by_level) == ((2, 0), (0, 0, 2))
    # A3 was cancelled: its two 出勤 count nowhere. B2 had nobody there.
    assert (november.by_school, november.by_level) == ((2, 2), (0, 2, 2))
    assert november.total == 4


def test_person_times_keep_to_the_date_range(term):
    figures = person_times_by_month(Period(date(2026, 11, 1), date(2026, 11, 10)))

    assert [(m.month, m.by_school) for m in figures.months] == [
        (date(2026, 11, 1), (2, 0))
    ]


def test_teaching_hours_credit_every_instructor_of_delivered_sessions(term):
    hours = {
        (row.name, row.month): (row.sessions, row.hours) for row in teaching_hours()
    }

    assert hours == {
        ("李讲师", date(2026, 10, 1)): (1, Decimal("2.00")),
        # A2 and B1; A3 was cancelled
        ("李讲师", date(2026, 11, 1)): (2, Decimal("4.50")),
        # B1; B2 had nobody present or late
        ("周讲师", date(2026, 11, 1)): (1, Decimal("3.00")),
    }


def test_teaching_hours_of_one_instructor_in_a_month_range(term):
    rows = teaching_hours(
        term.instructor, first_month=date(2026, 11, 1), last_month=date(2026, 11, 1)
    )

    assert [(row.month, row.sessions, row.hours) for row in rows] == [
        (date(2026, 11, 1), 2, Decimal("4.50"))
    ]


def test_a_session_not_yet_over_gives_no_teaching_hours(term):
    now = timezone.now()
    running = session(
        term.class_a, now - timezone.timedelta(hours=1), 2, instructors=[term.zhou]
    )
    mark(running, term.zhang, P)

    assert all(row.name != "周讲师" or row.sessions == 1 for row in teaching_hours())


# --- a fixed number of queries ------------------------------------------------------


def _more(term, count: int):
    """`count` more trainees in 班A, each marked at A1 and A2, and one more
    session."""
    extra = session(
        term.class_a, at(2026, 11, 8, 9), 1, site=term.site, instructors=[term.zhou]
    )
    for n in range(count):
        person = UserFactory(org_unit=term.grid)
        enrol(term.class_a, person)
        for held in (term.a1, term.a2, extra):
            mark(held, person, (P, L, E, A)[n % 4])


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


REPORTS = {
    "grid": lambda term: class_grid(term.class_a),
    "sites": lambda term: site_figures(),
    "units": lambda term: unit_figures(kind=OrgUnit.Kind.COMMUNITY),
    "trainee": lambda term: trainee_classes(term.zhang),
    "person_times": lambda term: person_times_by_month(),
    "teaching_hours": lambda term: teaching_hours(),
}


def test_every_report_takes_the_same_queries_for_more_data(term):
    small = {
        name: _queries(lambda r=report: r(term)) for name, report in REPORTS.items()
    }
    _more(term, 12)
    large = {
        name: _queries(lambda r=report: r(term)) for name, report in REPORTS.items()
    }

    assert small == large
    assert max(small.values()) <= 6


def test_the_report_pages_take_the_same_queries_for_more_data(client, term):
    client.force_login(UserFactory(role=roles.SCHOOL_ADMIN))
    pages = [
        reverse("course_reports:class", args=[term.class_a.pk]),
        reverse("course_reports:sites"),
        reverse("course_reports:units"),
        reverse("course_reports:person_times"),
        reverse("course_reports:teaching_hours"),
        reverse("course_reports:trainee", args=[term.zhang.pk]),
    ]
    for page in pages:
        client.get(page)  # warm the session and Wagtail's caches

    def count():
        return [_queries(lambda p=page: client.get(p)) for page in pages]

    small = count()
    _more(term, 12)
    assert count() == small


# --- who may read them --------------------------------------------------------------


def _every_report_url(term) -> list[str]:
    return [
        reverse("course_reports:index"),
        reverse("course_reports:class", args=[term.class_a.pk]),
        reverse("course_reports:sites"),
        reverse("course_reports:units"),
        reverse("course_reports:person_times"),
        reverse("course_reports:teaching_hours"),
        reverse("course_reports:trainees") + "?q=张",
        reverse("course_reports:trainee", args=[term.zhang.pk]),
        reverse("course_reports:export", args=["records", "csv"]),
        reverse("course_reports:export", args=["sites", "xlsx"]),
        reverse("course_reports:export_class", args=[term.class_a.pk, "csv"]),
        reverse("course_reports:export_trainee", args=[term.zhang.pk, "xlsx"]),
    ]


def test_an_administrator_reads_every_report(client, term, school_admin):
    client.force_login(school_admin)
    for url in _every_report_url(term):
        response = client.get(url)
        assert response.status_code == 200, url
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("course_reports:index") in menu


@pytest.mark.parametrize("role", [roles.INSTRUCTOR, roles.SITE_HOST])
def test_other_staff_find_no_reports(client, term, role):
    client.force_login(UserFactory(role=role))
    for url in _every_report_url(term):
        assert client.get(url).status_code == 404, url
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("course_reports:index") not in menu


def test_a_trainee_never_reaches_the_reports(client, term):
    client.force_login(term.zhang)
    for url in _every_report_url(term):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_the_class_page_shows_the_grid(client, term, school_admin):
    client.force_login(school_admin)
    page = client.get(reverse("course_reports:class", args=[term.class_a.pk]))

    headers, rows = page.context["headers"], page.context["rows"]
    assert headers[2:4] == ["2026-10-10 19:00", "2026-11-05 09:00"]
    by_name = {row[0]: row for row in rows}
    assert by_name["李四"][2:4] == ["迟到", "请假"]
    assert by_name["李四"][-1] == "50"
    assert by_name["全班"][-1] == "60"
    assert reverse("course_reports:trainee", args=[term.li.pk]) in (
        page.content.decode()
    )


def test_a_missing_class_or_unknown_export_is_a_404(client, term, school_admin):
    client.force_login(school_admin)
    for url in (
        reverse("course_reports:class", args=[99999]),
        reverse("course_reports:export", args=["nothing", "csv"]),
        reverse("course_reports:export", args=["records", "pdf"]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_sites_page_keeps_to_the_dates_asked_for(client, term, school_admin):
    client.force_login(school_admin)
    url = reverse("course_reports:sites")

    page = client.get(url, {"start": "2026-11-01", "end": "2026-11-30"})
    site = next(row for row in page.context["rows"] if row[0] == term.site.name)
    assert site[1:3] == ["1", "2"]  # A2: one session held, two there
    html = page.content.decode()
    assert 'name="start"' in html and 'name="end"' in html
    export = next(
        button.url for button in page.context["header_buttons"] if "csv" in button.url
    )
    assert export.endswith("?start=2026-11-01&end=2026-11-30")


def test_a_backwards_date_range_is_refused_and_everything_shown(
    client, term, school_admin
):
    client.force_login(school_admin)
    page = client.get(
        reverse("course_reports:person_times"),
        {"start": "2026-12-01", "end": "2026-10-01"},
    )

    assert "开始日期不能晚于结束日期。" in page.content.decode()
    assert [row[0] for row in page.context["rows"]] == ["2026-10", "2026-11", "合计"]


def test_the_unit_page_groups_by_the_kind_asked_for(client, term, school_admin):
    client.force_login(school_admin)
    page = client.get(reverse("course_reports:units"), {"kind": "community"})

    names = [row[0] for row in page.context["rows"]]
    assert names == ["测试街道 › 桃园社区", "杏花街道 › 杏花社区"]


def test_the_trainee_search_finds_by_name_and_links_the_report(
    client, term, school_admin
):
    client.force_login(school_admin)
    page = client.get(reverse("course_reports:trainees"), {"q": "张三"})

    assert list(page.context["found"]) == [term.zhang]
    assert reverse("course_reports:trainee", args=[term.zhang.pk]) in (
        page.content.decode()
    )
