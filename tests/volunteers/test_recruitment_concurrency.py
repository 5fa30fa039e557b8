"""Two administrators selecting at once never fill a round past its places:
real threads and forked processes released by a barrier, on the test database
(file SQLite or PostgreSQL), so the database decides who gets the last place."""

import multiprocessing

from django.core.exceptions import ValidationError

import pytest

from school.models import User
from tests.concurrency import run_all_concurrently, run_in_processes
from tests.volunteers.test_recruitment_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_recruitment_support import open_now
from volunteers import recruitment
from volunteers.models import Promotion, RecruitmentRound, RoundApplication

pytestmark = pytest.mark.django_db(transaction=True)

Status = RoundApplication.Status


def _select(application_id: int, actor_id: int) -> tuple[str, object]:
    try:
        promotion = recruitment.select(
            RoundApplication.objects.get(pk=application_id),
            actor=User.objects.get(pk=actor_id),
        )
    except ValidationError as error:
        return "refused", error.messages
    except Exception as error:
        return "error", repr(error)
    return "ok", promotion.pk


def _select_next(queue) -> tuple[str, object]:
    return _select(*queue.get())


def race(jobs: list[tuple[int, int]], *, processes: bool) -> list[tuple]:
    if processes:
        queue = multiprocessing.get_context("fork").SimpleQueue()
        for job in jobs:
            queue.put(job)
        outcomes = run_in_processes(_select_next, len(jobs), queue)
    else:
        outcomes = run_all_concurrently([lambda job=job: _select(*job) for job in jobs])
    assert [o for o in outcomes if not isinstance(o, tuple) or o[0] == "error"] == []
    return outcomes


def assert_round_holds(recruitment_round: RecruitmentRound, places: int) -> None:
    recruitment_round.refresh_from_db()
    selected = recruitment_round.applications.filter(status=Status.SELECTED).count()
    promoted = Promotion.objects.filter(
        recruitment_round=recruitment_round, status=Promotion.Status.IN_NOTICE
    ).count()
    assert recruitment_round.selected_count == selected == promoted == places


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_two_administrators_selecting_at_once_never_exceed_the_places(
    school_admin, second_admin, make_talent, processes
):
    recruitment_round = open_now(school_admin, places=2)
    applications = [
        recruitment.apply_to_round(
            recruitment_round, person=make_talent(f"报名人{i}"), statement="说明"
        )
        for i in range(6)
    ]
    admins = (school_admin, second_admin)

    outcomes = race(
        [(a.pk, admins[i % 2].pk) for i, a in enumerate(applications)],
        processes=processes,
    )

    assert [o[0] for o in outcomes].count("ok") == 2
    assert {m for kind, ms in outcomes if kind == "refused" for m in ms} == {
        "名额已满，不能再选。"
    }
    assert_round_holds(recruitment_round, 2)
    assert recruitment_round.applications.filter(status=Status.APPLIED).count() == 4


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_two_administrators_selecting_the_same_person_take_one_place(
    school_admin, second_admin, make_talent, processes
):
    recruitment_round = open_now(school_admin, places=2)
    application = recruitment.apply_to_round(
        recruitment_round, person=make_talent("赵一"), statement="说明"
    )

    outcomes = race(
        [(application.pk, school_admin.pk), (application.pk, second_admin.pk)],
        processes=processes,
    )

    assert [o[0] for o in outcomes].count("ok") == 1
    assert_round_holds(recruitment_round, 1)
