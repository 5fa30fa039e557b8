"""Fixtures for the recruitment tests: community talents who meet the manager
rule (a valid leadership-tier completion certificate), and an open round."""

from datetime import timedelta

from django.utils import timezone

import pytest

from certificates import services as certificate_services
from courses.models import Tier
from school import roles
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from tests.factories import UserFactory
from volunteers import recruitment


@pytest.fixture
def leadership_class(course_index):
    course = CoursePageFactory(
        parent=course_index,
        title="社区领导力",
        slug="ling-dao-li",
        tier=Tier.LEADERSHIP,
    )
    return TrainingClassFactory(course=course, capacity=100)


@pytest.fixture
def make_talent(grid, leadership_class, certificate_template):
    """make_talent(name) — a 社区能人 with a valid leadership certificate."""

    def make(name: str = "", *, certified: bool = True, level=Level.TALENT):
        person = UserFactory(
            org_unit=grid,
            level=level,
            role=roles.TRAINEE,
            **({"real_name": name} if name else {}),
        )
        if certified:
            certificate_services.issue_certificate(
                completed_enrollment(leadership_class, person),
                template=certificate_template,
                deliver=False,
            )
        return person

    return make


@pytest.fixture
def talents(make_talent):
    return [make_talent(name) for name in ("赵一", "钱二", "孙三")]


@pytest.fixture
def second_admin(grid):
    return UserFactory(real_name="陈管理", org_unit=grid, role=roles.SCHOOL_ADMIN)


def open_now(actor, *, places: int = 2, title: str = "第二批社区主理人招募"):
    now = timezone.now()
    return recruitment.open_round(
        title=title,
        places=places,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=13),
        description="面向社区能人招募社区主理人。",
        actor=actor,
    )


@pytest.fixture
def a_round(school_admin):
    return open_now(school_admin)
