"""Fixtures for the volunteers app: point items, a coordinator covering the
community of the shared `trainee` (our volunteer), and one covering elsewhere."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest
from PIL import Image

from school import roles
from tests.factories import OrgUnitFactory, UserFactory
from volunteers.models import CoordinatorScope, PointItem


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
