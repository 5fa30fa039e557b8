"""A small hand-made world for the dashboards, in the first half of 2025 (fixed
dates, so the numbers are exact whatever today is).

Units: 测试街道 › 桃园社区 › 第1网格 (the shared fixtures) and 测试街道 › 杏林社区 ›
第2网格. People: 张三 and 李四 in 第1网格, 王五 in 第2网格.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from certificates.models import Certificate
from courses.models import (
    AttendanceRecord,
    Booking,
    ClassLevel,
    ClassSession,
    Enrollment,
    Feedback,
)
from courses.models.pages import Tier
from courses.reports import Period
from dashboards.figures import Filters
from dashboards.permissions import SCHOOL_LEADER
from school import roles
from school.models import Level, OrgUnit
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from tests.factories import OrgUnitFactory, PracticeSiteFactory, UserFactory
from volunteers.models import (
    Activity,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
    PointAccount,
    PointEntry,
)

PERIOD = Period(date(2025, 1, 1), date(2025, 6, 30))
Status = AttendanceRecord.Status


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(
        day, time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def session_at(training_class, site, day: date, *, seats: int, booked: int, **extra):
    return ClassSession.objects.create(
        training_class=training_class,
        practice_site=site,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        booking_closes_at=at(day - timedelta(days=1), 9),
        seats=seats,
        confirmed_count=booked,
        open_seats_taken=booked,
        **extra,
    )


def record(session, person, status, enrollment=None):
    credit = {"present": 1, "late": Decimal("0.5"), "excused": 0, "absent": 0}[status]
    booking = Booking.objects.create(
        session=session,
        trainee=person,
        status=Booking.Status.CONFIRMED,
        source=Booking.Source.STAFF,
        confirmed_at=session.booking_closes_at,
    )
    return AttendanceRecord.objects.create(
        session=session,
        booking=booking,
        trainee=person,
        enrollment=enrollment,
        status=status,
        credit=credit,
        method=AttendanceRecord.Method.ROSTER,
    )


@pytest.fixture
def leader(grid):
    person = UserFactory(real_name="周校长", org_unit=grid)
    person.groups.add(Group.objects.get(name=SCHOOL_LEADER))
    return person


@pytest.fixture
def world(community, grid, course_index, grid_school, school_admin):
    street = OrgUnit.objects.get(kind=OrgUnit.Kind.STREET)
    other_community = OrgUnitFactory(
        parent=street, name="杏林社区", kind=OrgUnit.Kind.COMMUNITY
    )
    other_grid = OrgUnitFactory(
        parent=other_community, name="第2网格", kind=OrgUnit.Kind.GRID
    )
    zhang = UserFactory(real_name="张三", org_unit=grid, role=roles.TRAINEE)
    li = UserFactory(real_name="李四", org_unit=grid, role=roles.TRAINEE)
    wang = UserFactory(real_name="王五", org_unit=other_grid, role=roles.TRAINEE)
    for person, level in ((zhang, Level.VOLUNTEER), (wang, Level.TALENT)):
        person.level = level
        person.save(update_fields=["level"])

    basic = CoursePageFactory(parent=course_index, tier=Tier.BASIC)
    special = CoursePageFactory(parent=course_index, tier=Tier.SPECIALIST)
    k1 = TrainingClassFactory(
        course=basic,
        level=ClassLevel.DISTRICT,
        starts_on=date(2025, 2, 3),
        ends_on=date(2025, 3, 20),
    )
    k2 = TrainingClassFactory(
        course=special,
        level=ClassLevel.CITY,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 4, 10),
    )
    TrainingClassFactory(  # before the period: counts nowhere
        course=basic,
        level=ClassLevel.DISTRICT,
        starts_on=date(2024, 11, 1),
        ends_on=date(2024, 12, 1),
    )
    completed, active = Enrollment.Status.COMPLETED, Enrollment.Status.ACTIVE
    e_zhang = Enrollment.objects.create(
        training_class=k1,
        trainee=zhang,
        status=completed,
        completed_at=at(date(2025, 3, 20), 17),
    )
    e_li = Enrollment.objects.create(training_class=k1, trainee=li, status=active)
    e_wang = Enrollment.objects.create(
        training_class=k2,
        trainee=wang,
        status=completed,
        completed_at=at(date(2025, 4, 10), 17),
    )
    Enrollment.objects.create(
        training_class=k2, trainee=zhang, status=Enrollment.Status.WITHDRAWN
    )

    peach = PracticeSiteFactory(name="桃园社区党群服务中心", org_unit=community)
    apricot = PracticeSiteFactory(name="杏林社区服务站", org_unit=other_community)
    # Monday 3 March and Tuesday 8 April 2025.
    s1 = session_at(k1, peach, date(2025, 3, 4), seats=10, booked=4)
    s2 = session_at(k2, apricot, date(2025, 4, 8), seats=20, booked=5)
    s3 = session_at(
        k1,
        peach,
        date(2025, 3, 11),
        seats=10,
        booked=8,
        cancelled_at=at(date(2025, 3, 10), 9),
    )
    record(s1, zhang, Status.PRESENT, e_zhang)
    record(s1, li, Status.LATE, e_li)
    record(s2, wang, Status.PRESENT, e_wang)
    record(s2, zhang, Status.ABSENT)
    record(s3, zhang, Status.PRESENT, e_zhang)  # cancelled session: not counted

    Feedback.objects.create(
        trainee=zhang, training_class=k1, score=5, created_at=at(date(2025, 3, 5), 9)
    )
    Feedback.objects.create(
        trainee=li, training_class=k1, score=3, created_at=at(date(2025, 3, 6), 9)
    )
    Feedback.objects.create(
        trainee=wang, training_class=k2, score=4, created_at=at(date(2025, 4, 9), 9)
    )

    for n, (person, kind, day) in enumerate(
        (
            (zhang, Certificate.Kind.SERVICE_PROOF, date(2025, 3, 21)),
            (wang, Certificate.Kind.SERVICE_PROOF, date(2025, 4, 11)),
            (wang, Certificate.Kind.APPOINTMENT, date(2025, 4, 12)),
            (li, Certificate.Kind.APPOINTMENT, date(2024, 12, 1)),  # before
        )
    ):
        Certificate.objects.create(
            kind=kind,
            holder=person,
            school=grid_school,
            number=f"TEST-{n}",
            code=f"code{n}",
            snapshot={},
            issued_at=at(day, 10),
        )

    for person, entries in (
        (
            zhang,
            [
                ("service", 50, date(2025, 3, 5)),
                ("redemption", -20, date(2025, 4, 2)),
                ("refund", 20, date(2025, 4, 3)),
                ("redemption", -10, date(2025, 4, 4)),
            ],
        ),
        (wang, [("service", 30, date(2025, 4, 9))]),
    ):
        account = PointAccount.objects.create(person=person)
        balance = 0
        for kind, amount, day in entries:
            balance += amount
            PointEntry.objects.create(
                account=account,
                kind=kind,
                amount=amount,
                balance_after=balance,
                created_at=at(day, 12),
            )

    # 活动室 of 桃园社区: open Mondays 09:00–12:00 (180 minutes a week).
    room = CommunitySpace.objects.create(
        community=community, name="活动室", address="桃园路 1 号", capacity=30
    )
    OpeningHours.objects.create(space=room, weekday=0, opens=time(9), closes=time(12))
    activity = Activity.objects.create(
        title="书法夜校",
        description="练字",
        space=room,
        organiser=zhang,
        seats=10,
        basis=Activity.Basis.GRANT,
        status=Activity.Status.APPROVED,
    )
    ActivitySession.objects.create(  # Monday 3 March, 90 minutes: 50 %
        activity=activity,
        starts_at=at(date(2025, 3, 3), 9),
        ends_at=at(date(2025, 3, 3), 10, 30),
        booking_closes_at=at(date(2025, 3, 2), 9),
        seats=10,
        day_minutes=90,
    )
    return SimpleNamespace(
        street=street,
        community=community,
        grid=grid,
        other_community=other_community,
        other_grid=other_grid,
        zhang=zhang,
        li=li,
        wang=wang,
        peach=peach,
        apricot=apricot,
        room=room,
        peach_class=k1,
        school=grid_school,
        filters=Filters(PERIOD),
    )
