"""The nightly rule check over everyone: `nightly_promotion_20000_s` is
`volunteers.ladder.evaluate_everyone` over 20,000 people (built with bulk_create:
certificates of every tier, points accounts, level events) of whom 300 qualify
for a step. The check reads everyone in one query per step and then promotes only
those who qualify, so its query count depends on how many are promoted, not on
how many people there are: the bench checks that 2,000 and 20,000 people with 300
qualifying each cost the same queries."""

import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

import pytest

from certificates.models import Certificate
from courses.models import Enrollment, Tier
from school.models import Level, User
from tests.certificates.factories import CertificateTemplateFactory
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    TrainingClassFactory,
)
from volunteers import ladder
from volunteers.models import LevelEvent, PointAccount, Promotion

pytestmark = pytest.mark.django_db

PEOPLE = 20_000
FIRST = 2_000
QUALIFYING = 300
BATCH = 2_000


@contextmanager
def counting():
    """Count the queries run inside (no cap, unlike CaptureQueriesContext)."""
    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


@pytest.fixture
def classes(grid_school):
    """One class per tier, and a certificate template."""
    index = CourseIndexPageFactory(parent=grid_school, slug="bench-courses")
    return {
        tier: TrainingClassFactory(
            course=CoursePageFactory(parent=index, tier=tier, slug=f"bench-{tier}")
        )
        for tier in Tier.values
    }, CertificateTemplateFactory(school=grid_school)


def build(start: int, count: int, *, classes, template, school) -> None:
    """`count` people from number `start`: the first QUALIFYING residents hold a
    basic certificate (they qualify for 志愿者); the rest are a mix that does
    not qualify — residents with a specialist certificate, volunteers with a
    specialist certificate and too few hours, a revoked basic certificate,
    talents — with points accounts and level events."""
    now = timezone.now()
    for offset in range(0, count, BATCH):
        numbers = range(start + offset, start + min(offset + BATCH, count))
        people = []
        for n in numbers:
            index = n - start
            level = Level.RESIDENT
            if index >= QUALIFYING:
                level = (Level.RESIDENT, Level.VOLUNTEER, Level.TALENT)[index % 3]
            people.append(
                User(
                    phone=f"139{n:08d}",
                    real_name=f"居民{n}",
                    level=level,
                    password="!",
                    date_joined=now - timedelta(days=400),
                )
            )
        people = User.objects.bulk_create(people)
        if connection.vendor == "sqlite" or people[0].pk is None:
            people = list(
                User.objects.filter(phone__in=[p.phone for p in people]).order_by("pk")
            )
        enrolments, tiers = [], []
        for person in people:
            index = int(person.phone[3:]) - start
            if index < QUALIFYING:
                tier = Tier.BASIC
            elif index % 5 == 0:
                tier = Tier.BASIC  # revoked below
            elif index % 2 == 0:
                tier = Tier.SPECIALIST
            else:
                continue
            enrolments.append(
                Enrollment(
                    training_class=classes[tier],
                    trainee=person,
                    status=Enrollment.Status.COMPLETED,
                    completed_at=now,
                )
            )
            tiers.append((person, index))
        enrolments = Enrollment.objects.bulk_create(enrolments)
        if enrolments and enrolments[0].pk is None:
            by_trainee = {
                e.trainee_id: e
                for e in Enrollment.objects.filter(trainee__in=[p for p, _ in tiers])
            }
            enrolments = [by_trainee[p.pk] for p, _ in tiers]
        Certificate.objects.bulk_create(
            Certificate(
                enrollment=enrolment,
                template=template,
                holder=person,
                school=school,
                number=f"BENCH-{person.pk}",
                snapshot={},
                issued_at=now,
                status=(
                    Certificate.Status.REVOKED
                    if index >= QUALIFYING and index % 5 == 0
                    else Certificate.Status.VALID
                ),
                revoked_at=now if index >= QUALIFYING and index % 5 == 0 else None,
            )
            for enrolment, (person, index) in zip(enrolments, tiers, strict=True)
        )
        PointAccount.objects.bulk_create(
            PointAccount(
                person=person,
                balance=n % 50,
                earned=n % 80,
                hours=Decimal(n % 19),
            )
            for n, person in enumerate(people)
        )
        LevelEvent.objects.bulk_create(
            LevelEvent(
                person=person,
                kind=LevelEvent.Kind.PROMOTED,
                from_level=Level.RESIDENT,
                to_level=person.level,
                created_at=now - timedelta(days=100),
            )
            for person in people
            if person.level != Level.RESIDENT
        )


def test_the_nightly_check_over_20000_people_in_bulk(
    classes, grid_school, record_figures
):
    classes, template = classes
    world = {"classes": classes, "template": template, "school": grid_school}
    build(0, FIRST, **world)
    with counting() as small:
        assert ladder.evaluate_everyone() == QUALIFYING

    build(FIRST, PEOPLE - FIRST, **world)
    assert User.objects.filter(phone__startswith="139").count() == PEOPLE
    started = time.perf_counter()
    with counting() as large:
        assert ladder.evaluate_everyone() == QUALIFYING
    elapsed = time.perf_counter() - started

    record_figures(nightly_promotion_20000_s=elapsed)
    print(
        f"\nnightly over {PEOPLE} people, {QUALIFYING} promoted: {elapsed:.2f} s, "
        f"{large[0]} queries (over {FIRST}: {small[0]})"
    )
    assert large[0] == small[0]
    assert Promotion.objects.filter(person__phone__startswith="139").count() == (
        2 * QUALIFYING
    )
