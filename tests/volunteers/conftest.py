"""Fixtures for the volunteers app: point items, a coordinator covering the
community of the shared `trainee` (our volunteer), and one covering elsewhere."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest
from PIL import Image

from school import roles
from school.models import Level, User
from tests.factories import OrgUnitFactory, UserFactory
from volunteers import activities
from volunteers.models import (
    Activity,
    CommunitySpace,
    CoordinatorScope,
    OpeningHours,
    PointItem,
)


@pytest.fixture
def volunteer(trainee):
    """张三 of 第1网格 in 桃园社区: a resident who volunteers."""
    return trainee


@pytest.fixture
def patrol_item(db) -> PointItem:
    """巡查处置: 10 points an occurrence, at most 20 a day and 50 a month."""
    return PointItem.objects.create(
        name="巡查处置", category="平安建设", points=10, daily_cap=20, monthly_cap=50
    )


@pytest.fixture
def elderly_item(db) -> PointItem:
    """助老服务: 5 points an hour, no caps."""
    return PointItem.objects.create(
        name="助老服务", category="为民服务", points=5, unit=PointItem.Unit.HOUR
    )


@pytest.fixture
def coordinator(community):
    """孙协调 covers 桃园社区 (and so its 第1网格)."""
    person = UserFactory(real_name="孙协调", org_unit=community, role=roles.COORDINATOR)
    CoordinatorScope.objects.create(coordinator=person, org_unit=community)
    return person


@pytest.fixture
def second_coordinator(community):
    person = UserFactory(real_name="周协调", org_unit=community, role=roles.COORDINATOR)
    CoordinatorScope.objects.create(coordinator=person, org_unit=community)
    return person


@pytest.fixture
def outside_coordinator(community):
    """钱协调 covers another street's community, not our volunteer's."""
    elsewhere = OrgUnitFactory(name="杏林社区")
    person = UserFactory(real_name="钱协调", org_unit=elsewhere, role=roles.COORDINATOR)
    CoordinatorScope.objects.create(coordinator=person, org_unit=elsewhere)
    return person


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


def image_bytes(kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, kind)
    return buffer.getvalue()


def photo_upload(kind: str = "JPEG", name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(kind), content_type="image/jpeg")


def log(volunteer, item, *, served_on, hours=Decimal("2"), actor=None, **kwargs):
    from volunteers.services import log_service

    return log_service(
        volunteer,
        item=item,
        served_on=served_on,
        hours=hours,
        place=kwargs.pop("place", "桃园社区"),
        description=kwargs.pop("description", "夜间巡查，劝导占道经营"),
        actor=actor or volunteer,
        **kwargs,
    )


# --- community activities -------------------------------------------------------


def next_weekday_at(weekday: int, hour: int, minute: int = 0, weeks: int = 1):
    """Local time on a coming weekday (0 Monday), at least a day ahead."""
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=days + 7 * (weeks - 1))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def space_staff(community):
    """吴干事, a 桃园社区 worker who approves the use of its activity room."""
    return UserFactory(real_name="吴干事", org_unit=community)


@pytest.fixture
def space(community, space_staff):
    """桃园社区 活动室: 30 seats, open 09:00–12:00 and 14:00–21:30 every day."""
    room = CommunitySpace.objects.create(
        community=community, name="活动室", address="桃园路 1 号二楼", capacity=30
    )
    room.staff.add(space_staff)
    for weekday in range(7):
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(9), closes=time(12)
        )
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(14), closes=time(21, 30)
        )
    return room


@pytest.fixture
def manager(grid):
    """郑主理, a community manager (社区主理人) of 第1网格."""
    person = UserFactory(real_name="郑主理", org_unit=grid)
    User.objects.filter(pk=person.pk).update(level=Level.MANAGER)
    person.refresh_from_db()
    return person


@pytest.fixture
def night_school(manager, space):
    """A pending 夜校 next Wednesday 19:00–21:00, 20 seats, asking for a grant."""
    start = next_weekday_at(2, 19)
    return activities.propose_activity(
        organiser=manager,
        title="智能手机夜校",
        kind=Activity.Kind.NIGHT_SCHOOL,
        description="教老人用手机挂号、缴费。",
        space=space,
        seats=20,
        slots=[activities.Slot(start, start + timedelta(hours=2))],
    )


@pytest.fixture
def approved_night_school(night_school, space_staff):
    return activities.approve_activity(night_school, actor=space_staff)


@pytest.fixture
def night_session(approved_night_school):
    return approved_night_school.sessions.get()
