"""The dashboard's figures are added up in the database: building every figure
takes the same number of queries on the demo seed and on a 20,000-trainee seed.

- dashboard_queries_demo: queries to build every figure (and the filter form)
  for the default period (the last 12 months) after `seed_demo`.
- dashboard_queries_20000: the same after `seed_demo --trainees 20000`, with
  20,000 attendance records (1,000 of those trainees at 20 sessions) and a
  ledger entry for each trainee added in bulk. It must equal the first.
- dashboard_figures_20000_ms: how long building every figure takes then.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from courses.models import (
    AttendanceRecord,
    Booking,
    ClassSession,
    CoursePage,
    Enrollment,
)
from dashboards.figures import all_figures
from dashboards.forms import DashboardFilterForm
from school.models import PracticeSite, User
from tests.courses.factories import TrainingClassFactory
from volunteers.models import PointAccount, PointEntry

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 20_000
SESSIONS, PER_SESSION = 20, 1_000


def build_everything() -> None:
    form = DashboardFilterForm()
    all_figures(form.filters())


def count_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        build_everything()
    return len(captured)


def add_records_and_points() -> None:
    """20,000 attendance records of 1,000 trainees at 20 held sessions, and a
    service entry in the ledger for every trainee, in bulk."""
    people = list(User.objects.filter(phone__startswith="139").order_by("pk"))
    site = PracticeSite.objects.order_by("pk").first()
    training_class = TrainingClassFactory(
        course=CoursePage.objects.order_by("pk").first(),
        number=999,
        capacity=PER_SESSION,
    )
    attending = people[:PER_SESSION]
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in attending
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for n in range(SESSIONS):
        starts = now - timedelta(days=7 * (n + 1))
        session = ClassSession.objects.create(
            training_class=training_class,
            practice_site=site,
            seats=PER_SESSION,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            booking_closes_at=starts - timedelta(days=1),
        )
        bookings = Booking.objects.bulk_create(
            Booking(
                session=session,
                trainee=person,
                status=Booking.Status.CONFIRMED,
                source=Booking.Source.STAFF,
                confirmed_at=starts - timedelta(days=2),
            )
            for person in attending
        )
        AttendanceRecord.objects.bulk_create(
            (
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
            ),
            batch_size=2000,
        )
    holders = set(PointAccount.objects.values_list("person_id", flat=True))
    accounts = PointAccount.objects.bulk_create(
        (PointAccount(person=person) for person in people if person.pk not in holders),
        batch_size=2000,
    )
    PointEntry.objects.bulk_create(
        (
            PointEntry(
                account=account,
                kind=PointEntry.Kind.SERVICE,
                amount=10,
                balance_after=10,
                created_at=now - timedelta(days=3),
            )
            for account in accounts
            if account.pk
        ),
        batch_size=2000,
    )


def test_dashboard_queries_do_not_grow_with_the_seed(record_figures):
    call_command("seed_demo", verbosity=0)
    build_everything()  # warm: content types, site settings
    demo = count_queries()

    call_command("seed_demo", trainees=TRAINEES, verbosity=0)
    add_records_and_points()
    assert User.objects.count() >= TRAINEES
    large = count_queries()
    started = time.perf_counter()
    build_everything()
    elapsed_ms = (time.perf_counter() - started) * 1000

    record_figures(
        dashboard_queries_demo=demo,
        dashboard_queries_20000=large,
        dashboard_figures_20000_ms=elapsed_ms,
    )
    assert large == demo
