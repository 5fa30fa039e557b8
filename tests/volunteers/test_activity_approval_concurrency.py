"""Two staff approving two activities for the same evening in the same space at
the same instant approve exactly one; the other is refused, naming the first.
Real threads and forked processes released by a barrier, on the test database
(file SQLite, or PostgreSQL when DATABASE_URL is set), so the database decides."""

import multiprocessing
from datetime import timedelta

from django.core.exceptions import ValidationError

import pytest

from school.models import Level, User
from tests.concurrency import run_all_concurrently, run_in_processes
from tests.factories import UserFactory
from tests.volunteers.conftest import next_weekday_at
from volunteers import activities
from volunteers.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3  # three evenings, each raced for by two proposals


def _approve(activity_id: int, actor_id: int) -> tuple[str, int, object]:
    try:
        activities.approve_activity(
            Activity.objects.get(pk=activity_id), actor=User.objects.get(pk=actor_id)
        )
    except ValidationError as error:
        return "refused", activity_id, error.messages
    except Exception as error:
        return "error", activity_id, repr(error)
    return "ok", activity_id, None


def _approve_next(queue) -> tuple[str, int, object]:
    return _approve(*queue.get())


def race(jobs: list[tuple[int, int]], *, processes: bool) -> list[tuple]:
    if processes:
        queue = multiprocessing.get_context("fork").SimpleQueue()
        for job in jobs:
            queue.put(job)
        outcomes = run_in_processes(_approve_next, len(jobs), queue)
    else:
        outcomes = run_all_concurrently(
            [lambda job=job: _approve(*job) for job in jobs]
        )
    assert [o for o in outcomes if not isinstance(o, tuple) or o[0] == "error"] == []
    return outcomes


def _manager(name: str, grid) -> User:
    person = UserFactory(real_name=name, org_unit=grid)
    User.objects.filter(pk=person.pk).update(level=Level.MANAGER)
    person.refresh_from_db()
    return person


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_two_staff_approving_colliding_activities_at_once_approve_one(
    space, space_staff, community, grid, processes
):
    second_staff = UserFactory(real_name="冯干事", org_unit=community)
    space.staff.add(second_staff)
    organisers = (_manager("郑主理", grid), _manager("冯主理", grid))
    pairs = []
    for week in range(1, ROUNDS + 1):
        start = next_weekday_at(3, 19, weeks=week)
        pairs.append(
            [
                activities.propose_activity(
                    organiser=organiser,
                    title=f"第{week}周活动{index}",
                    kind=Activity.Kind.WORKSHOP,
                    description="同一晚、同一间活动室。",
                    space=space,
                    seats=10,
                    slots=[activities.Slot(start, start + timedelta(hours=2))],
                )
                for index, organiser in enumerate(organisers, start=1)
            ]
        )
    jobs = [
        (activity.pk, staff.pk)
        for pair in pairs
        for activity, staff in zip(pair, (space_staff, second_staff), strict=True)
    ]

    outcomes = race(jobs, processes=processes)

    assert [kind for kind, _, _ in outcomes].count("ok") == ROUNDS
    for pair in pairs:
        statuses = {
            a.title: a.status
            for a in Activity.objects.filter(pk__in=[p.pk for p in pair])
        }
        approved = [t for t, s in statuses.items() if s == Activity.Status.APPROVED]
        pending = [t for t, s in statuses.items() if s == Activity.Status.PENDING]
        assert len(approved) == 1 and len(pending) == 1, statuses
        refusals = [
            " ".join(messages)
            for kind, activity_id, messages in outcomes
            if kind == "refused" and activity_id in {p.pk for p in pair}
        ]
        assert len(refusals) == 1
        assert f"“{approved[0]}”" in refusals[0] and "时间冲突" in refusals[0]
