"""What the whole-journey browser test (test_whole_journey.py) sets up and checks
on every page: the Volunteer Academy's basic course with its class and a practice
session, the certificate template, a coordinator, a merchant's reward and an
approved community activity — all made through factories and services, never
through the browser, which is kept for the resident's own steps."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from playwright.sync_api import Locator, Page

from courses.models import BookableSession, ClassSession, CoursePage, Tier
from school import roles
from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User
from tests.certificates.factories import CertificateTemplateFactory
from tests.courses.factories import (
    ClassSessionFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
)
from tests.e2e.axe import assert_no_serious_violations
from tests.factories import PracticeSiteFactory, UserFactory
from tests.volunteers.test_rewards_support import make_reward
from volunteers import activities
from volunteers.models import (
    Activity,
    CommunitySpace,
    CoordinatorScope,
    Merchant,
    OpeningHours,
    PointItem,
)

COURSE = "志愿服务基础"
LESSONS = ("第一课 志愿服务是什么", "第二课 入户走访礼仪")
PRACTICE = "入户走访实操"
SERVICE_ITEM = "助老服务"
REWARD = "爱心理发券"
ACTIVITY = "志愿者应急救护夜校"


def looks_right(page: Page) -> None:
    """Nothing scrolls sideways and axe-core finds no serious or critical
    violation: asked of every page the journey visits."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"
    assert_no_serious_violations(page)


def header_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name=name, exact=True
    )


def heading(page: Page, name: str) -> Locator:
    return page.get_by_role("heading", name=name, level=1)


def flash(page: Page, text: str | re.Pattern) -> Locator:
    """The message the last POST left (base.html's .messages)."""
    return page.locator(".messages").get_by_text(text)


def move_session(session: BookableSession, starts_at: datetime) -> None:
    """Shift a session (keeping its two hours), as the check-in tests do: the
    booking engine forbids moving a booked session into its own past."""
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(hours=1),
    )


def coming_wednesday_evening() -> datetime:
    """19:00 on the next Wednesday at least a day ahead (1 to 7 days)."""
    today = timezone.localdate()
    day = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    return timezone.make_aware(datetime.combine(day, time(19)))


@dataclass
class Journey:
    """Everything the journey meets that is not the resident's own doing."""

    academy: SchoolPage
    course: CoursePage
    session: ClassSession
    site: PracticeSite
    site_host: User
    coordinator: User
    merchant: Merchant
    activity: Activity


def prepare_journey(volunteer_academy: SchoolPage, community: OrgUnit) -> Journey:
    """The Volunteer Academy's basic course (two lessons; completion asks for full
    attendance at its practice session), the academy's certificate template, a
    site with its host, a coordinator covering the community, a merchant with a
    reward for volunteers, and an approved activity for volunteers and up."""
    index = CourseIndexPageFactory(
        parent=volunteer_academy, title="学院课程", slug="academy-courses"
    )
    course = CoursePageFactory(
        parent=index,
        title=COURSE,
        slug="zhi-yuan-ji-chu",
        tier=Tier.BASIC,
        summary="志愿服务的理念、礼仪与入户走访。",
        attendance_threshold=100,
    )
    for number, title in enumerate(LESSONS, start=1):
        LessonPageFactory(parent=course, title=title, slug=f"l{number}")
    training_class = TrainingClassFactory(course=course, number=1)
    CertificateTemplateFactory(school=volunteer_academy, name="志愿者培训学院结业证书")

    host = UserFactory(real_name="赵站长", org_unit=community, role=roles.SITE_HOST)
    site = PracticeSiteFactory(name="桃园社区党群服务中心", org_unit=community)
    site.hosts.add(host)
    session = ClassSessionFactory(
        training_class=training_class,
        practice_site=site,
        title=PRACTICE,
        seats=20,
    )

    coordinator = UserFactory(
        real_name="孙协调", org_unit=community, role=roles.COORDINATOR
    )
    CoordinatorScope.objects.create(coordinator=coordinator, org_unit=community)
    PointItem.objects.create(name=SERVICE_ITEM, category="为民服务", points=10)

    merchant = Merchant.objects.create(name="桃园理发店", address="桃园路 3 号")
    make_reward(merchant, title=REWARD, points_cost=8, stock=3)

    return Journey(
        academy=volunteer_academy,
        course=course,
        session=session,
        site=site,
        site_host=host,
        coordinator=coordinator,
        merchant=merchant,
        activity=_approved_activity(community),
    )


def _approved_activity(community: OrgUnit) -> Activity:
    """A night school in 桃园社区's activity room, for 志愿者 and up, proposed by a
    community manager and approved by the room's staff member."""
    staff = UserFactory(real_name="吴干事", org_unit=community)
    room = CommunitySpace.objects.create(
        community=community, name="活动室", address="桃园路 1 号二楼", capacity=30
    )
    room.staff.add(staff)
    for weekday in range(7):
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(14), closes=time(21, 30)
        )
    organiser = UserFactory(real_name="郑主理", org_unit=community)
    User.objects.filter(pk=organiser.pk).update(level=Level.MANAGER)
    organiser.refresh_from_db()
    start = coming_wednesday_evening()
    proposed = activities.propose_activity(
        organiser=organiser,
        title=ACTIVITY,
        kind=Activity.Kind.NIGHT_SCHOOL,
        description="心肺复苏与止血包扎，志愿者入队必修。",
        space=room,
        seats=20,
        slots=[activities.Slot(start, start + timedelta(hours=2))],
        audience=Activity.Audience.LEVEL,
        audience_level=Level.VOLUNTEER,
    )
    return activities.approve_activity(proposed, actor=staff)
