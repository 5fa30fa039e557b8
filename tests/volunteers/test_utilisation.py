"""空间使用率: the figures of a hand-computed month, the fixed number of queries,
the admin page and its exports."""

import csv
import io
from datetime import date, datetime, time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from courses.models import AttendanceRecord, Booking
from courses.reports.figures import Period
from school import roles
from tests.factories import UserFactory
from volunteers import utilisation
from volunteers.activities import split_minutes
from volunteers.models import Activity, ActivitySession, CommunitySpace, OpeningHours

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
Status = AttendanceRecord.Status


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, minute))


@pytest.fixture
def hall(community, space_staff):
    """桃园社区 议事厅, open Mon–Fri 09:00–12:00 and 14:00–21:00, Sat 09:00–12:00.

    March 2026 begins on a Sunday: Mondays 2 9 16 23 30 and Tuesdays 3 10 17 24 31
    (5 each), Wednesdays to Fridays and Saturdays 4 each, so 22 weekdays and 4
    Saturdays. A weekday is open 180 + 240 = 420 day minutes (to 18:00) and 180
    evening minutes (18:00–21:00); a Saturday 180 day minutes.
    Day: 22 × 420 + 4 × 180 = 9,960 min = 166 h. Evening: 22 × 180 = 3,960 min = 66 h.
    """
    room = CommunitySpace.objects.create(
        community=community, name="议事厅", address="桃园路 2 号", capacity=40
    )
    room.staff.add(space_staff)
    for weekday in range(5):
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(9), closes=time(12)
        )
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(14), closes=time(21)
        )
    OpeningHours.objects.create(space=room, weekday=5, opens=time(9), closes=time(12))
    return room


def activity(space, organiser, *, status=Activity.Status.APPROVED, title="活动"):
    return Activity.objects.create(
        title=title,
        description="手工建立的历史活动",
        space=space,
        organiser=organiser,
        seats=30,
        basis=Activity.Basis.GRANT,
        status=status,
    )


def session(owner, starts_at, ends_at, **kwargs):
    day, evening = split_minutes(starts_at, ends_at)
    return ActivitySession.objects.create(
        activity=owner,
        starts_at=starts_at,
        ends_at=ends_at,
        booking_closes_at=starts_at,
        seats=30,
        day_minutes=day,
        evening_minutes=evening,
        **kwargs,
    )


def attend(session_, person, status):
    booking = Booking.objects.create(
        session=session_,
        trainee=person,
        status=Booking.Status.CONFIRMED,
        confirmed_at=session_.booking_closes_at,
    )
    return AttendanceRecord.objects.create(
        session=session_,
        booking=booking,
        trainee=person,
        status=status,
        method=AttendanceRecord.Method.ROSTER,
    )


@pytest.fixture
def march(hall, manager, trainee, other_trainee):
    """Three approved sessions and two that do not count.

    A talk Tue 3 09:30–11:30 (120 day minutes; 2 came, 1 absent); a night school
    Wed 4 19:00–21:00 (120 evening; 1 present, 1 late); a workshop Thu 5
    16:30–19:00 (90 day + 60 evening; only an absence). Booked: 210 day = 3.5 h,
    180 evening = 3 h; attended 120 + 120 = 240 min = 4 h; 人次 2 + 2 = 4.
    Day rate 210 / 9,960 = 2.1 %, evening 180 / 3,960 = 4.5 %, all 390 / 13,920
    = 2.8 %. Not counted: a cancelled session Fri 6 (with a record) and a pending
    activity's session Mon 9.
    """
    third = UserFactory(real_name="王五")
    talk = session(
        activity(hall, manager, title="防诈讲座"), at(3, 9, 30), at(3, 11, 30)
    )
    night = session(activity(hall, manager, title="夜校"), at(4, 19), at(4, 21))
    workshop = session(activity(hall, manager, title="工坊"), at(5, 16, 30), at(5, 19))
    attend(talk, trainee, Status.PRESENT)
    attend(talk, other_trainee, Status.LATE)
    attend(talk, third, Status.ABSENT)
    attend(night, trainee, Status.PRESENT)
    attend(night, other_trainee, Status.LATE)
    attend(workshop, trainee, Status.ABSENT)
    cancelled = session(
        activity(hall, manager, title="取消的"),
        at(6, 19),
        at(6, 21),
        cancelled_at=at(5, 12),
    )
    attend(cancelled, trainee, Status.PRESENT)
    session(
        activity(hall, manager, status=Activity.Status.PENDING, title="待审"),
        at(9, 19),
        at(9, 20),
    )
    return hall


def test_a_month_of_one_space_adds_up_by_hand(march, space):
    report = utilisation.space_utilisation(MARCH)
    [row] = [row for row in report.rows if row.space == march]
    figures = row.figures
    assert row.month == date(2026, 3, 1)
    assert (figures.open_day, figures.open_evening) == (9960, 3960)
    assert (utilisation.hours(9960), utilisation.hours(3960)) == (166, 66)
    assert (figures.booked_day, figures.booked_evening) == (210, 180)
    assert (figures.attended_day, figures.attended_evening) == (120, 120)
    assert figures.attended_all == 240
    assert figures.person_times == 4
    assert str(figures.day_rate) == "2.1"
    assert str(figures.evening_rate) == "4.5"
    assert str(figures.all_rate) == "2.8"


def test_a_space_never_open_has_no_rate(march, community):
    closed = CommunitySpace.objects.create(
        community=community, name="仓库", address="桃园路 3 号", capacity=5
    )
    report = utilisation.space_utilisation(MARCH)
    [row] = [row for row in report.rows if row.space == closed]
    assert row.figures.open_all == 0
    assert row.figures.all_rate is None


def test_a_month_partly_in_the_period_counts_only_its_days(march):
    # 1–7 March: Mon 2 to Fri 6 and Sat 7 (Sunday 1 closed).
    report = utilisation.space_utilisation(Period(date(2026, 3, 1), date(2026, 3, 7)))
    [row] = [row for row in report.rows if row.space == march]
    assert row.figures.open_day == 5 * 420 + 180
    assert row.figures.open_evening == 5 * 180
    assert row.figures.booked_all == 390  # all three counted sessions are that week


def test_months_are_local(hall, manager, trainee):
    # 00:30 on 1 April in Beijing is still 31 March in UTC.
    late = session(activity(hall, manager), at(1, 0, 30, month=4), at(1, 1, month=4))
    attend(late, trainee, Status.PRESENT)
    report = utilisation.space_utilisation(Period(date(2026, 3, 1), date(2026, 4, 30)))
    months = {row.month: row.figures for row in report.rows if row.space == hall}
    assert months[date(2026, 3, 1)].booked_all == 0
    assert months[date(2026, 4, 1)].booked_day == 30  # before 18:00 counts as day
    assert months[date(2026, 4, 1)].person_times == 1


def test_totals_per_community_and_overall(march, space, community):
    report = utilisation.space_utilisation(MARCH)
    [(unit, figures)] = report.by_community
    assert unit == community
    # The shared fixture's 活动室 is open 09–12 and 14–21:30 every day: 31 days.
    assert figures.open_day == 9960 + 31 * (180 + 240)
    assert figures.open_evening == 3960 + 31 * 210
    assert figures.booked_all == 390
    assert report.total.person_times == 4
    assert [month for month, _f in report.by_month] == [date(2026, 3, 1)]


def test_a_community_filter_keeps_only_its_spaces(march, community):
    from tests.factories import OrgUnitFactory

    elsewhere = OrgUnitFactory(name="杏林社区")
    report = utilisation.space_utilisation(MARCH, unit=elsewhere)
    assert report.rows == []
    report = utilisation.space_utilisation(MARCH, unit=community)
    assert {row.space.name for row in report.rows} == {"议事厅"}


def _queries(period) -> int:
    with CaptureQueriesContext(connection) as context:
        utilisation.table(utilisation.space_utilisation(period))
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_sessions(march, manager):
    few = _queries(MARCH)
    owner = activity(march, manager, title="批量")
    people = UserFactory.create_batch(3)
    # A multi-table child cannot be bulk-created: one insert pair each.
    sessions = [
        ActivitySession.objects.create(
            activity=owner,
            starts_at=at(day % 28 + 1, 19),
            ends_at=at(day % 28 + 1, 20),
            booking_closes_at=at(day % 28 + 1, 18),
            seats=30,
            evening_minutes=60,
        )
        for day in range(297)
    ]
    for person in people:
        bookings = Booking.objects.bulk_create(
            Booking(
                session=s,
                trainee=person,
                status=Booking.Status.CONFIRMED,
                confirmed_at=s.booking_closes_at,
            )
            for s in sessions
        )
        AttendanceRecord.objects.bulk_create(
            AttendanceRecord(
                session=b.session,
                booking=b,
                trainee=person,
                status=Status.PRESENT,
                method=AttendanceRecord.Method.ROSTER,
            )
            for b in bookings
        )
    assert ActivitySession.objects.count() >= 300
    assert _queries(MARCH) == few
    assert utilisation.space_utilisation(MARCH).total.person_times == 4 + 3 * 297


# --- the admin page -----------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    return UserFactory(role=roles.SCHOOL_ADMIN, is_staff=True)


URL = "/admin/space-utilisation/"
MARCH_QUERY = {"first": "2026-03", "last": "2026-03"}


def test_an_administrator_sees_the_report_in_chinese(client, admin_user, march):
    client.force_login(admin_user)
    page = client.get(URL, MARCH_QUERY)
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("空间使用率", "议事厅", "桃园社区", "2026-03", "小计", "总计"):
        assert words in text
    assert "<svg" in text and "<title" in text and "夜间预约" in text
    assert "2026-03：日间使用率 2.1%，夜间使用率 4.5%。" in text  # the chart's text
    assert "166" in text and "4.5" in text


def test_a_bad_month_says_how_to_write_it(client, admin_user, march):
    client.force_login(admin_user)
    page = client.get(URL, {"first": "三月"})
    assert page.status_code == 200
    assert "2026-03" in page.content.decode()
    page = client.get(URL, {"first": "2026-04", "last": "2026-03"})
    assert "起始月份不能晚于截止月份" in page.content.decode()


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.COORDINATOR, roles.INSTRUCTOR])
def test_anyone_but_an_administrator_gets_no_access(client, march, role):
    client.force_login(UserFactory(role=role, is_staff=True))
    for url in (URL, f"{URL}export/csv/", f"{URL}export/xlsx/"):
        assert client.get(url, MARCH_QUERY).status_code in (302, 404)


def test_the_csv_holds_the_table(client, admin_user, march):
    client.force_login(admin_user)
    response = client.get(f"{URL}export/csv/", MARCH_QUERY)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["空间", "社区", "月份"]
    hall_row = next(row for row in rows if row[0] == "议事厅")
    assert hall_row == [
        "议事厅",
        "桃园社区",
        "2026-03",
        "166.0",
        "66.0",
        "3.5",
        "3.0",
        "4.0",
        "4",
        "2.1",
        "4.5",
        "2.8",
    ]
    assert rows[-1][0] == "总计"


def test_the_xlsx_opens(client, admin_user, march):
    client.force_login(admin_user)
    response = client.get(f"{URL}export/xlsx/", MARCH_QUERY)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "空间"
    hall_row = next(row for row in rows if row[0] == "议事厅")
    assert hall_row[3:9] == (166, 66, 3.5, 3, 4, 4)
    assert "csv" not in (workbook.sheetnames[0])


def test_an_unknown_format_is_a_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(f"{URL}export/pdf/").status_code == 404
