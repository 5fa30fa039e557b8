"""Races on sign-up, and the harness that makes them happen (tests/concurrency.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError

import pytest

from school import services
from school.models import User
from tests.concurrency import run_all_concurrently, run_concurrently, run_in_processes

PHONE = "13911112222"


def _sign_up(org_unit):
    return services.register_trainee(
        phone=PHONE,
        real_name="周小红",
        org_unit=org_unit,
        password="Correct-Horse-42",
        privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
    )


def _assert_exactly_one_account(outcomes: list) -> None:
    winners = [outcome for outcome in outcomes if isinstance(outcome, User)]
    losers = [outcome for outcome in outcomes if not isinstance(outcome, User)]
    assert len(winners) == 1, outcomes
    for error in losers:
        assert isinstance(error, ValidationError), repr(error)
        assert error.message_dict == {"phone": ["该手机号已注册。"]}
    assert User.objects.filter(phone=PHONE).count() == 1
    assert User.objects.get(phone=PHONE).groups.filter(name="学员").exists()


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_signups_with_one_phone_create_exactly_one_account(grid):
    outcomes = run_concurrently(_sign_up, 8, grid)

    _assert_exactly_one_account(outcomes)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_signups_from_separate_processes_create_exactly_one_account(
    grid,
):
    outcomes = run_in_processes(_sign_up, 4, grid)

    _assert_exactly_one_account(outcomes)


def test_outcomes_come_back_in_call_order_with_exceptions_in_place():
    def fail():
        raise ValueError("boom")

    outcomes = run_all_concurrently([lambda: 1, fail, lambda: 3])

    assert outcomes[0] == 1
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == 3
