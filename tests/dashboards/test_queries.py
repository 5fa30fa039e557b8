"""The dashboard takes the same number of queries for ten times the data: every
figure is grouped and counted by the database."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from certificates.models import Certificate
from courses.models import AttendanceRecord, Booking, Enrollment, Feedback
from dashboards.figures import all_figures
from school.models import User
from tests.courses.factories import TrainingClassFactory
from tests.dashboards.conftest import at, session_at
from tests.factories import PracticeSiteFactory
from volunteers.models import PointAccount, PointEntry

pytestmark = pytest.mark.django_db


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def grow(world, times: int) -> None:
    """`times` more of everything: people, classes, sessions at a new site,
    records, ratings, certificates and ledger entries, in bulk."""
    course = world.peach_class.course
    people = User.objects.bulk_create(
        User(
            phone=f"136{n:08d}", real_name=f"学员{n}", org_unit=world.grid, password="!"
        )
        for n in range(times * 3)
    )
    site = PracticeSiteFactory(name="新教学点", org_unit=world.community)
    for n in range(times):
        day = date(2025, 2, 3) + timedelta(days=7 * n)
        training_class = TrainingClassFactory(
            course=course, starts_on=day, ends_on=day + timedelta(days=30)
        )
        session = session_at(training_class, site, day, seats=10, booked=3)
        trio = people[3 * n : 3 * n + 3]
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                training_class=training_class,
                trainee=person,
                status=Enrollment.Status.COMPLETED,
                completed_at=at(day, 18),
            )
            for person in trio
        )
        bookings = Booking.objects.bulk_create(
            Booking(
                session=session,
                trainee=person,
                status=Booking.Status.CONFIRMED,
                source=Booking.Source.STAFF,
                confirmed_at=at(day, 8),
            )
            for person in trio
        )
        AttendanceRecord.objects.bulk_create(
            AttendanceRecord(
                session=session,
                booking=booking,
                trainee=booking.trainee,
                enrollment=enrollment,
                status=AttendanceRecord.Status.PRESENT,
                credit=Decimal(1),
                method=AttendanceRecord.Method.ROSTER,
            )
            for booking, enrollment in zip(bookings, enrollments, strict=True)
        )
        Feedback.objects.bulk_create(
            Feedback(
                trainee=person,
                training_class=training_class,
                score=4,
                created_at=at(day, 12),
            )
            for person in trio
        )
    Certificate.objects.bulk_create(
        Certificate(
            kind=Certificate.Kind.SERVICE_PROOF,
            holder=person,
            school=world.school,
            number=f"GROW-{n}",
            code=f"grow{n}",
            snapshot={},
            issued_at=at(date(2025, 5, 1), 10),
        )
        for n, person in enumerate(people)
    )
    accounts = PointAccount.objects.bulk_create(
        PointAccount(person=person) for person in people
    )
    PointEntry.objects.bulk_create(
        PointEntry(
            account=account,
            kind=PointEntry.Kind.SERVICE,
            amount=10,
            balance_after=10,
            created_at=at(date(2025, 5, 2), 10),
        )
        for account in accounts
    )


def test_the_figures_take_the_same_queries_for_ten_times_the_data(world):
    small = queries(lambda: all_figures(world.filters))
    grow(world, 10)
    assert queries(lambda: all_figures(world.filters)) == small
    assert all_figures(world.filters)[1].rows[-1][-1] == 3 + 30  # it did grow


def test_the_page_takes_the_same_queries_for_ten_times_the_data(
    client, school_admin, world
):
    client.force_login(school_admin)
    url = reverse("dashboards:home") + "?start=2025-01-01&end=2025-06-30"
    client.get(url)  # the first request of a session warms caches
    small = queries(lambda: client.get(url))
    grow(world, 10)
    assert queries(lambda: client.get(url)) == small
