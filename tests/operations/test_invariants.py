"""The invariants of operations.invariants: a small world built through the real
services passes them all, and each kind of damage a raw UPDATE can do (or a
restore, a killed process, a hand edit) is reported with the ids to look at.

Where the database itself refuses the damage (a check constraint, a unique
index), the test first lifts that guard inside its own transaction, which the
test's rollback restores."""

from decimal import Decimal

from django.core.management import CommandError, call_command
from django.db import connection, transaction

import pytest
from django_q.models import Task

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateBatch
from courses import booking as engine
from courses.models import BookableSession, Booking, SeatQuota
from operations.invariants import check_all
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import ClassSessionFactory
from tests.factories import UserFactory
from tests.volunteers.test_rewards_support import credit, make_reward
from volunteers import ledger, redemptions
from volunteers.models import Merchant, PointAccount, PointEntry, Redemption, Reward

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _table(model) -> str:
    return model._meta.db_table


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _drop_index(name: str) -> None:
    """Lift a partial unique constraint (an index on both databases)."""
    _raw(f'DROP INDEX "{name}"')


def _without_checks(model) -> None:
    """Lift every check constraint of the model's table for this transaction."""
    if POSTGRES:
        with connection.cursor() as cursor:
            # No ALTER TABLE while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'c'",
                [_table(model)],
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            _raw(f'ALTER TABLE "{_table(model)}" DROP CONSTRAINT "{name}"')
    else:
        _raw("PRAGMA ignore_check_constraints = ON")


@pytest.fixture
def _sqlite_checks_back():
    yield
    if not POSTGRES:
        _raw("PRAGMA ignore_check_constraints = OFF")


@pytest.fixture
def world(
    school_admin,
    trainee,
    other_trainee,
    grid,
    training_class,
    class_session,
    certificate_template,
    _sqlite_checks_back,
    django_capture_on_commit_callbacks,
):
    """Bookings with a unit quota and a waitlist, a class's certificates (one of
    them through a batch on the synchronous queue), points earned and spent, one
    redemption cancelled."""
    third = UserFactory(real_name="王五", org_unit=grid)
    session = ClassSessionFactory(training_class=training_class, seats=2)
    engine.reserve_seats(session, org_unit=grid, seats=1, actor=school_admin)
    for person in (trainee, other_trainee, third):
        engine.book(session, trainee=person, actor=person)
    engine.book(class_session, trainee=trainee, actor=trainee)

    enrollments = [
        completed_enrollment(training_class, person)
        for person in (trainee, other_trainee, third)
    ]
    for enrollment in enrollments[1:]:
        certificate_services.issue_certificate(
            enrollment, template=certificate_template, deliver=False
        )
    # One through a batch on the (synchronous) queue: a rendered PDF costs a second.
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.start_bulk_issue(
            training_class,
            template=certificate_template,
            enrollment_ids=[enrollments[0].pk],
            actor=school_admin,
        )

    merchant = Merchant.objects.create(name="爱心理发店", org_unit=grid)
    reward = make_reward(merchant, title="理发券", points_cost=30, stock=5)
    volunteer = UserFactory(real_name="赵六", org_unit=grid, level=Level.VOLUNTEER)
    credit(volunteer, 100)
    redemptions.redeem_reward(reward, person=volunteer)
    cancelled = redemptions.redeem_reward(reward, person=volunteer)
    redemptions.cancel_redemption(cancelled, actor=volunteer)
    return session


def test_a_world_built_by_the_services_keeps_every_invariant(world):
    assert Booking.objects.filter(session=world).confirmed().count() == 2
    assert Booking.objects.filter(session=world).waitlisted().count() == 1
    assert Certificate.objects.count() == 3
    assert CertificateBatch.objects.get().status == CertificateBatch.Status.FINISHED
    assert Task.objects.filter(success=True).exists()
    assert Redemption.objects.count() == 2
    assert check_all() == []
    call_command("check_invariants")


def _reported(*fragments: str) -> list[str]:
    problems = check_all()
    for fragment in fragments:
        assert any(fragment in problem for problem in problems), (fragment, problems)
    return problems


def test_an_overbooked_session_is_reported(world):
    # Two confirmed bookings in what the row now says is a one-seat session.
    BookableSession.objects.filter(pk=world.pk).update(
        seats=1, confirmed_count=1, reserved_seats=0
    )
    problems = _reported("overbooked", str(world.pk))
    with pytest.raises(CommandError):
        call_command("check_invariants")
    assert problems


def test_session_counters_that_differ_from_the_rows_are_reported(world):
    BookableSession.objects.filter(pk=world.pk).update(confirmed_count=1)
    _reported(
        "confirmed_count differs from its confirmed bookings",
        "confirmed_count differs from open_seats_taken + quota taken",
    )


def test_a_quota_count_that_differs_from_its_bookings_is_reported(world):
    quota = SeatQuota.objects.get(session=world)
    SeatQuota.objects.filter(pk=quota.pk).update(taken=0)
    _reported(f"quota taken differs from its confirmed bookings: quotas {quota.pk}")


def test_reserved_seats_that_differ_from_the_quotas_are_reported(world):
    BookableSession.objects.filter(pk=world.pk).update(reserved_seats=0)
    _reported("reserved_seats differs from its unreleased quotas")


def test_two_live_bookings_of_one_person_are_reported(world, trainee):
    _drop_index("one_live_booking_per_trainee_and_session")
    waiting = Booking.objects.filter(session=world).waitlisted().get()
    Booking.objects.filter(pk=waiting.pk).update(trainee=trainee)
    _reported(f"more than one live booking: session {world.pk}/person {trainee.pk}")


def test_a_waitlist_number_given_twice_is_reported(world, trainee):
    _drop_index("one_booking_per_waitlist_number")
    Booking.objects.filter(session=world, trainee=trainee).update(queue_number=1)
    _reported(f"waitlist number given twice: session {world.pk} no. 1")


def test_a_waitlist_number_beyond_those_issued_is_reported(world):
    Booking.objects.filter(session=world).waitlisted().update(queue_number=9)
    _reported("waitlist number beyond those the session issued")


def test_a_second_certificate_for_one_enrolment_is_reported(world):
    _drop_index("one_certificate_per_enrollment_and_template")
    first, second, _ = Certificate.objects.order_by("pk")
    Certificate.objects.filter(pk=second.pk).update(enrollment=first.enrollment)
    _reported(f"more than one certificate: enrolment {first.enrollment_id}/")


@pytest.mark.skipif(not POSTGRES, reason="SQLite cannot lift a column's UNIQUE")
def test_a_certificate_number_used_twice_is_reported(world):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [_table(Certificate)],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(
                f'ALTER TABLE "{_table(Certificate)}" DROP CONSTRAINT "{name}"'
            )
    first, second, _ = Certificate.objects.order_by("pk")
    Certificate.objects.filter(pk=second.pk).update(number=first.number)
    _reported(f"certificate number used twice: {first.number}")


def test_a_batch_that_counted_wrong_or_failed_is_reported(world):
    batch = CertificateBatch.objects.get()
    CertificateBatch.objects.filter(pk=batch.pk).update(done=0)
    _reported(f"certificate batch finished short of its total: {batch.pk}")
    CertificateBatch.objects.filter(pk=batch.pk).update(failed=1)
    _reported(f"certificate batch with failures: {batch.pk}")
    CertificateBatch.objects.filter(pk=batch.pk).update(done=1)
    _reported(f"certificate batch counted beyond its total: {batch.pk}")


def test_a_balance_that_differs_from_its_ledger_is_reported(world):
    account = PointAccount.objects.get()
    PointAccount.objects.filter(pk=account.pk).update(balance=account.balance + 5)
    _reported(f"points balance differs from its ledger: accounts {account.pk}")
    PointAccount.objects.filter(pk=account.pk).update(hours=3)
    _reported(f"service hours differ from the ledger: accounts {account.pk}")


def test_points_earned_that_differ_from_the_ledger_are_reported(world, school_admin):
    """Earned counts service credits, their reversals and extra credit, not
    spending, refunds or a correction of a spend."""
    volunteer = PointAccount.objects.get().person
    with transaction.atomic():
        service = ledger.append_entry(
            volunteer, kind=PointEntry.Kind.SERVICE, amount=30, hours=Decimal("2")
        )
    ledger.correct_entry(service, actor=school_admin, reason="登记有误")
    spend = PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION).first()
    ledger.correct_entry(spend, actor=school_admin, reason="兑换有误")
    assert check_all() == []

    account = PointAccount.objects.get(person=volunteer)
    PointAccount.objects.filter(pk=account.pk).update(earned=account.earned + 10)
    _reported(f"points earned differ from the ledger: accounts {account.pk}")


def test_a_negative_balance_and_stock_are_reported(world):
    _without_checks(PointAccount)
    _without_checks(Reward)
    PointAccount.objects.update(balance=-1)
    Reward.objects.update(stock=-1)
    _reported("negative points balance", "negative reward stock")


def test_redemptions_paid_or_refunded_wrongly_are_reported(world):
    live = Redemption.objects.get(status=Redemption.Status.ISSUED)
    cancelled = Redemption.objects.get(status=Redemption.Status.CANCELLED)
    Redemption.objects.filter(pk=live.pk).update(status=Redemption.Status.CANCELLED)
    Redemption.objects.filter(pk=cancelled.pk).update(status=Redemption.Status.ISSUED)
    _reported(
        f"cancelled or expired redemption not refunded: {live.pk}",
        f"live redemption refunded: {cancelled.pk}",
    )
    Redemption.objects.filter(pk=live.pk).update(points=live.points + 1)
    _reported(f"redemption not paid by exactly its points: redemptions {live.pk}")


def test_a_failed_task_and_a_chunk_run_twice_are_reported(world):
    done = Task.objects.filter(func="certificates.tasks.issue_batch_chunk_task").get()
    Task.objects.filter(pk=done.pk).update(success=False)
    _reported("background task failed: certificates.tasks.issue_batch_chunk_task")
    Task.objects.filter(pk=done.pk).update(success=True)
    again = Task.objects.get(pk=done.pk)
    again.pk, again.id = None, "0" * 32
    again.save()
    _reported("background job recorded twice for the same work")
