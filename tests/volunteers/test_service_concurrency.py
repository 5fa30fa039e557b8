"""Service decisions under real concurrency, on file-backed SQLite and PostgreSQL:
a record is decided once, caps hold for one person's approvals racing, and
teaching hours are credited once per session however many runs overlap."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from courses.models import AttendanceRecord, Booking
from tests.concurrency import run_all_concurrently, run_concurrently
from tests.courses.factories import ClassSessionFactory
from tests.volunteers.conftest import log
from volunteers import ledger, services
from volunteers.models import PointEntry, ServiceRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_coordinators_approving_one_record_at_once_decide_it_once(
    volunteer, coordinator, second_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    outcomes = run_all_concurrently(
        [
            lambda: services.approve_service_record(record, actor=coordinator),
            lambda: services.approve_service_record(record, actor=second_coordinator),
        ]
    )
    assert sum(isinstance(o, ServiceRecord) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and "已审核过" in refused[0].messages[0]
    assert PointEntry.objects.filter(service_record=record).count() == 1
    assert ledger.balance_of(volunteer).balance == 10


def test_an_approval_and_a_rejection_at_once_leave_one_decision(
    volunteer, coordinator, second_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    outcomes = run_all_concurrently(
        [
            lambda: services.approve_service_record(record, actor=coordinator),
            lambda: services.reject_service_record(
                record, actor=second_coordinator, reason="重复登记"
            ),
        ]
    )
    assert sum(isinstance(o, ServiceRecord) for o in outcomes) == 1
    record.refresh_from_db()
    assert record.events.exclude(kind="logged").count() == 1
    expected = 10 if record.status == ServiceRecord.Status.APPROVED else 0
    assert ledger.balance_of(volunteer).balance == expected


def test_the_daily_cap_holds_under_concurrent_approvals_for_one_person(
    volunteer, coordinator, second_coordinator, patrol_item, yesterday
):
    records = [log(volunteer, patrol_item, served_on=yesterday) for _ in range(4)]
    deciders = [coordinator, second_coordinator] * 2
    outcomes = run_all_concurrently(
        [
            (lambda r=r, d=d: services.approve_service_record(r, actor=d))
            for r, d in zip(records, deciders, strict=True)
        ]
    )
    assert all(isinstance(o, ServiceRecord) for o in outcomes), outcomes
    rows = ServiceRecord.objects.filter(pk__in=[r.pk for r in records])
    assert sum(r.points_awarded for r in rows) == 20  # the daily cap
    assert sum(r.points_capped for r in rows) == 20
    balance = ledger.balance_of(volunteer)
    assert (balance.balance, balance.hours) == (20, Decimal("8"))


def test_the_monthly_cap_holds_under_concurrent_approvals_for_one_person(
    volunteer, coordinator, second_coordinator, patrol_item
):
    patrol_item.daily_cap = None
    patrol_item.save()
    first = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    records = [
        log(volunteer, patrol_item, served_on=first + timedelta(days=n))
        for n in range(8)
    ]
    deciders = [coordinator, second_coordinator] * 4
    run_all_concurrently(
        [
            (lambda r=r, d=d: services.approve_service_record(r, actor=d))
            for r, d in zip(records, deciders, strict=True)
        ]
    )
    rows = ServiceRecord.objects.filter(pk__in=[r.pk for r in records])
    assert sum(r.points_awarded for r in rows) == 50
    assert sum(r.points_capped for r in rows) == 30
    assert ledger.balance_of(volunteer).balance == 50


def test_teaching_hours_are_credited_once_when_two_runs_overlap(
    training_class, instructor, trainee
):
    for days in (1, 2, 3):
        session = ClassSessionFactory(
            training_class=training_class,
            starts_at=timezone.now() - timedelta(days=days),
        )
        session.instructors.add(instructor)
        booking = Booking.objects.create(
            session=session,
            trainee=trainee,
            status=Booking.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        AttendanceRecord.objects.create(
            session_id=session.pk,
            booking=booking,
            trainee=trainee,
            status=AttendanceRecord.Status.PRESENT,
            method=AttendanceRecord.Method.ROSTER,
        )
    outcomes = run_concurrently(services.credit_teaching_hours, 3)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sum(outcomes) == 3
    assert ServiceRecord.objects.filter(volunteer=instructor).count() == 3
    assert ledger.balance_of(instructor).hours == Decimal("6.0")
