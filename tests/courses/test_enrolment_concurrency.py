"""Races on seats: many trainees pressing "报名" for the last seat, one trainee
double-clicking, approvals and a bulk enrolment landing at the same time. Real
threads and processes on the test database (file SQLite or PostgreSQL); the
database decides who wins, and the seat count always equals the seats held."""

import multiprocessing

from django.core.exceptions import ValidationError
from django.db.models import Q

import pytest

from courses import services
from courses.models import Enrollment, TrainingClass
from school import roles
from school.models import User
from tests.concurrency import run_all_concurrently, run_concurrently, run_in_processes
from tests.courses.factories import TrainingClassFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def _trainees(grid, n: int) -> list:
    return [UserFactory(org_unit=grid, role=roles.TRAINEE) for _ in range(n)]


def _enrol(training_class, person):
    return lambda: services.enroll_trainee(training_class, trainee=person, actor=person)


def _messages(outcomes: list) -> list[str]:
    """The messages of the refusals; anything but a ValidationError fails the test."""
    messages = []
    for outcome in outcomes:
        if isinstance(outcome, Enrollment):
            continue
        assert isinstance(outcome, ValidationError), repr(outcome)
        messages.extend(outcome.messages)
    return messages


def _assert_seats_match_enrolments(training_class: TrainingClass) -> None:
    training_class.refresh_from_db()
    holding = Enrollment.objects.filter(
        training_class=training_class, status__in=Enrollment.SEAT_STATUSES
    ).count()
    assert training_class.seats_taken == holding <= training_class.capacity


@pytest.fixture
def last_seat_class(course, grid):
    """A class of three seats with two already taken."""
    training_class = TrainingClassFactory(course=course, capacity=3)
    for person in _trainees(grid, 2):
        services.enroll_trainee(training_class, trainee=person, actor=person)
    return training_class


def test_eight_trainees_racing_for_the_last_seat_leave_exactly_one_enrolled(
    grid, last_seat_class
):
    racers = _trainees(grid, RACERS)

    outcomes = run_all_concurrently([_enrol(last_seat_class, p) for p in racers])

    winners = [outcome for outcome in outcomes if isinstance(outcome, Enrollment)]
    assert len(winners) == 1, outcomes
    assert _messages(outcomes) == ["名额已满"] * (RACERS - 1)
    last_seat_class.refresh_from_db()
    assert last_seat_class.seats_taken == last_seat_class.capacity == 3
    assert Enrollment.objects.filter(trainee__in=racers).get() == winners[0]
    _assert_seats_match_enrolments(last_seat_class)


def _enrol_next_from(queue, training_class):
    person = User.objects.get(pk=queue.get())
    return services.enroll_trainee(training_class, trainee=person, actor=person)


def test_trainees_racing_from_separate_processes_leave_exactly_one_enrolled(
    grid, last_seat_class
):
    racers = _trainees(grid, 4)
    queue = multiprocessing.get_context("fork").SimpleQueue()
    for person in racers:
        queue.put(person.pk)

    outcomes = run_in_processes(_enrol_next_from, len(racers), queue, last_seat_class)

    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1, outcomes
    assert _messages(outcomes) == ["名额已满"] * (len(racers) - 1)
    assert Enrollment.objects.filter(trainee__in=racers).count() == 1
    _assert_seats_match_enrolments(last_seat_class)
    assert last_seat_class.seats_taken == 3


def test_a_double_click_enrols_the_trainee_once(trainee, training_class):
    outcomes = run_concurrently(
        services.enroll_trainee, 4, training_class, trainee=trainee, actor=trainee
    )

    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1, outcomes
    assert _messages(outcomes) == ["您已报名该班"] * 3
    assert Enrollment.objects.filter(trainee=trainee).count() == 1
    _assert_seats_match_enrolments(training_class)
    assert training_class.seats_taken == 1


def test_a_double_click_on_an_approval_class_files_one_request(course, trainee):
    training_class = TrainingClassFactory(course=course, requires_approval=True)

    outcomes = run_concurrently(
        services.enroll_trainee, 4, training_class, trainee=trainee, actor=trainee
    )

    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1, outcomes
    assert _messages(outcomes) == ["您已报名该班"] * 3
    assert Enrollment.objects.get(trainee=trainee).status == Enrollment.Status.PENDING
    _assert_seats_match_enrolments(training_class)
    assert training_class.seats_taken == 0


def test_approvals_racing_for_the_last_seat_approve_exactly_one(
    course, grid, school_admin
):
    training_class = TrainingClassFactory(
        course=course, capacity=1, requires_approval=True
    )
    requests = [
        services.enroll_trainee(training_class, trainee=p, actor=p)
        for p in _trainees(grid, 4)
    ]

    outcomes = run_all_concurrently(
        [
            lambda r=request: services.approve_enrollment(r, actor=school_admin)
            for request in requests
        ]
    )

    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1, outcomes
    assert _messages(outcomes) == ["名额已满，无法通过审核。"] * 3
    _assert_seats_match_enrolments(training_class)
    assert training_class.seats_taken == 1


def test_a_double_click_on_withdraw_frees_one_seat(course, grid, trainee):
    training_class = TrainingClassFactory(course=course, capacity=5)
    for person in _trainees(grid, 2):
        services.enroll_trainee(training_class, trainee=person, actor=person)
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    outcomes = run_concurrently(
        services.withdraw_enrollment, 4, enrollment, actor=trainee
    )

    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1, outcomes
    assert _messages(outcomes) == ["已结业或已退出的报名不能再退出。"] * 3
    _assert_seats_match_enrolments(training_class)
    assert training_class.seats_taken == 2


def test_withdrawals_and_enrolments_racing_never_leak_or_overbook_a_seat(course, grid):
    training_class = TrainingClassFactory(course=course, capacity=3)
    leaving = [
        services.enroll_trainee(training_class, trainee=p, actor=p)
        for p in _trainees(grid, 3)
    ]
    arriving = _trainees(grid, 5)

    outcomes = run_all_concurrently(
        [
            *(
                lambda e=enrollment: services.withdraw_enrollment(e, actor=e.trainee)
                for enrollment in leaving
            ),
            *(_enrol(training_class, person) for person in arriving),
        ]
    )

    assert all(isinstance(o, Enrollment) for o in outcomes[:3]), outcomes
    assert set(_messages(outcomes[3:])) <= {"名额已满"}
    _assert_seats_match_enrolments(training_class)
    assert Enrollment.objects.filter(
        trainee__in=arriving, status=Enrollment.Status.ACTIVE
    ).count() == sum(isinstance(o, Enrollment) for o in outcomes[3:])


def test_a_bulk_enrolment_racing_self_enrolments_enrols_each_trainee_once(
    course, community, grid, school_admin
):
    training_class = TrainingClassFactory(course=course, capacity=6)
    people = _trainees(grid, 8)
    approval_class = TrainingClassFactory(course=course, requires_approval=True)

    outcomes = run_all_concurrently(
        [
            lambda: services.bulk_enroll(
                training_class, org_unit=community, actor=school_admin
            ),
            lambda: services.bulk_enroll(
                approval_class, org_unit=community, actor=school_admin
            ),
            *(_enrol(training_class, person) for person in people[:4]),
            *(_enrol(approval_class, person) for person in people[:4]),
        ]
    )

    assert isinstance(outcomes[0], services.BulkEnrolment), outcomes[0]
    assert isinstance(outcomes[1], services.BulkEnrolment), outcomes[1]
    assert set(_messages(outcomes[2:])) <= {"您已报名该班", "名额已满"}
    for each_class in (training_class, approval_class):
        _assert_seats_match_enrolments(each_class)
        live = Enrollment.objects.live().filter(training_class=each_class)
        assert live.count() == live.values("trainee").distinct().count()
    training_class.refresh_from_db()
    assert training_class.seats_taken == 6
    assert not Enrollment.objects.filter(~Q(trainee__in=people)).exists()
