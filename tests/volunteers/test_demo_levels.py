"""seed_demo's ladder: people at every level with their LevelEvents, the finished
recruitment round (53 applicants, 23 selected), letters for those through public
notice, one promotion held by an objection; a second run adds nothing."""

from django.db.models import Count, OuterRef, Subquery

import pytest

from certificates.models import Certificate
from school import demo as school_demo
from school.models import Level, User
from volunteers import demo_levels
from volunteers.models import (
    LevelEvent,
    Objection,
    Promotion,
    RecruitmentRound,
    RoundApplication,
)

pytestmark = pytest.mark.django_db

MODELS = [User, LevelEvent, Promotion, Objection, RecruitmentRound, RoundApplication]


@pytest.fixture
def seeded_school(volunteer_academy):
    """The org tree and the demo accounts the ladder's seeder builds on, and the
    Volunteer Academy that appoints community managers."""
    school_demo.seed_org_tree()
    school_demo.seed_demo_accounts()


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["letters"] = Certificate.objects.of_kind(
        Certificate.Kind.APPOINTMENT
    ).count()
    return counts


def test_a_second_seed_adds_nothing(seeded_school):
    demo_levels.seed({})
    first = _counts()
    demo_levels.seed({})
    assert _counts() == first


def test_there_are_people_at_every_level(seeded_school):
    demo_levels.seed({})
    phones = [p.phone for p in demo_levels.demo_people()]
    levels = dict(
        User.objects.filter(phone__in=phones)
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    assert set(levels) == set(Level.values)
    assert sum(levels.values()) == len(phones)


def test_each_level_is_where_its_last_event_led(seeded_school):
    demo_levels.seed({})
    last = LevelEvent.objects.filter(person=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    people = User.objects.filter(
        phone__in=[p.phone for p in demo_levels.demo_people()]
    ).annotate(last_level=Subquery(last.values("to_level")[:1]))
    for person in people:
        if person.level == Level.RESIDENT:
            assert person.last_level is None
        else:
            assert person.last_level == person.level
            climbed = LevelEvent.objects.filter(person=person).count()
            assert climbed == Level.rank(person.level)


def test_the_round_has_53_applicants_and_23_selected_counted_on_the_round(
    seeded_school,
):
    demo_levels.seed({})
    the_round = RecruitmentRound.objects.get(title=demo_levels.ROUND_TITLE)
    applications = RoundApplication.objects.filter(recruitment_round=the_round)
    assert applications.count() == 53
    selected = applications.filter(status=RoundApplication.Status.SELECTED).count()
    assert selected == 23 == the_round.selected_count == the_round.places
    assert (
        applications.filter(status=RoundApplication.Status.NOT_SELECTED).count() == 30
    )
    assert the_round.status == RecruitmentRound.Status.CLOSED
    assert Promotion.objects.filter(recruitment_round=the_round).count() == 23


def test_some_are_through_notice_with_one_letter_each(seeded_school):
    demo_levels.seed({})
    effective = Promotion.objects.filter(
        to_level=Level.MANAGER,
        source=Promotion.Source.RECRUITMENT,
        status=Promotion.Status.EFFECTIVE,
    )
    assert effective.count() == demo_levels.THROUGH_NOTICE
    assert all(p.letter_id and p.person.level == Level.MANAGER for p in effective)
    assert (
        Certificate.objects.of_kind(Certificate.Kind.APPOINTMENT).count()
        == demo_levels.THROUGH_NOTICE
    )


def test_one_promotion_in_notice_is_held_by_an_objection(seeded_school):
    demo_levels.seed({})
    held = Promotion.objects.get(status=Promotion.Status.ON_HOLD)
    assert held.to_level == Level.MANAGER
    assert held.objections.filter(resolution="").count() == 1
    in_notice = Promotion.objects.filter(status=Promotion.Status.IN_NOTICE).count()
    assert in_notice + 1 == 23 - demo_levels.THROUGH_NOTICE
