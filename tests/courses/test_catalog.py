"""The catalogue: filters, search, pagination, and on each card whether this person
may enrol and why not — in the same few queries for ten courses or sixty."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
import wagtail_factories

from courses import services
from courses.models import ClassLevel, Tier
from school.models import Level
from tests.courses.factories import CoursePageFactory, TrainingClassFactory

pytestmark = pytest.mark.django_db

CATALOG_URL = "/courses/"


def add_course(course_index, title: str, **fields):
    return CoursePageFactory(parent=course_index, title=title, **fields)


def verdicts(response) -> dict[str, tuple[str, str]]:
    """Course title → (state, reason) for every card on the page."""
    return {
        card.course.title: (card.verdict.state, card.verdict.reason)
        for card in response.context["cards"]
    }


def titles(response) -> list[str]:
    return [card.course.title for card in response.context["cards"]]


def test_the_catalogue_lists_live_courses_twelve_to_a_page(client, course_index):
    for number in range(14):
        add_course(course_index, f"课程{number:02d}")
    draft = add_course(course_index, "草稿课程")
    draft.unpublish()

    first = client.get(CATALOG_URL)
    assert first.status_code == 200
    assert len(first.context["cards"]) == 12
    assert "共 14 门课程" in first.content.decode()
    second = client.get(CATALOG_URL, {"page": 2})
    assert len(second.context["cards"]) == 2
    assert "草稿课程" not in titles(first) + titles(second)


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("999", 2), ("-1", 2)])
def test_a_bad_page_number_shows_a_real_page(client, course_index, page, shown):
    for number in range(13):
        add_course(course_index, f"课程{number:02d}")
    response = client.get(CATALOG_URL, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_courses_come_in_the_editors_order_and_filter_by_tier(client, course_index):
    add_course(course_index, "团队管理", tier=Tier.LEADERSHIP)
    add_course(course_index, "应急处置", tier=Tier.SPECIALIST)
    add_course(course_index, "公益理念", tier=Tier.BASIC)
    assert titles(client.get(CATALOG_URL)) == ["团队管理", "应急处置", "公益理念"]
    response = client.get(CATALOG_URL, {"tier": "specialist"})
    assert titles(response) == ["应急处置"]
    assert 'aria-current="page">专项技能班' in response.content.decode()


def test_an_unknown_tier_or_level_is_ignored(client, course_index):
    add_course(course_index, "公益理念")
    response = client.get(CATALOG_URL, {"tier": "bogus", "level": "<script>"})
    assert titles(response) == ["公益理念"]
    assert "<script>" not in response.content.decode()


def test_the_level_filter_keeps_courses_with_a_current_class_of_that_level(
    client, course_index
):
    provincial = add_course(course_index, "资源整合")
    district = add_course(course_index, "服务礼仪")
    ended = add_course(course_index, "活动策划")
    TrainingClassFactory(course=provincial, level=ClassLevel.PROVINCIAL)
    TrainingClassFactory(course=district, level=ClassLevel.DISTRICT)
    TrainingClassFactory(
        course=ended,
        level=ClassLevel.PROVINCIAL,
        enrol_opens_at=timezone.now() - timedelta(days=60),
        enrol_closes_at=timezone.now() - timedelta(days=50),
        starts_on=timezone.localdate() - timedelta(days=40),
        ends_on=timezone.localdate() - timedelta(days=30),
    )
    assert titles(client.get(CATALOG_URL, {"level": "provincial"})) == ["资源整合"]
    assert titles(client.get(CATALOG_URL, {"level": "district"})) == ["服务礼仪"]


def test_featured_courses_can_be_shown_alone(client, course_index):
    add_course(course_index, "公益理念", is_featured=True)
    add_course(course_index, "服务礼仪")
    response = client.get(CATALOG_URL, {"featured": "1"})
    assert titles(response) == ["公益理念"]
    assert "精品课程" in response.content.decode()


def test_search_finds_chinese_words_inside_titles_and_summaries(client, course_index):
    add_course(course_index, "服务礼仪", summary="接待居民的基本礼节。", objectives="")
    add_course(
        course_index, "应急处置", summary="火灾与防汛中的居民疏散。", objectives=""
    )
    add_course(
        course_index, "Team management", summary="Leading volunteers.", objectives=""
    )
    assert titles(client.get(CATALOG_URL, {"q": "礼仪"})) == ["服务礼仪"]
    assert set(titles(client.get(CATALOG_URL, {"q": "居民"}))) == {
        "服务礼仪",
        "应急处置",
    }
    assert titles(client.get(CATALOG_URL, {"q": "volunteers"})) == ["Team management"]
    assert titles(client.get(CATALOG_URL, {"q": "没有这门课"})) == []


def test_search_combines_with_the_filters(client, course_index):
    add_course(course_index, "服务礼仪", tier=Tier.BASIC)
    add_course(course_index, "礼仪培训师", tier=Tier.LEADERSHIP)
    response = client.get(CATALOG_URL, {"q": "礼仪", "tier": "leadership"})
    assert titles(response) == ["礼仪培训师"]


def test_pagination_links_keep_the_filters(client, course_index):
    for number in range(13):
        add_course(course_index, f"公益课程{number:02d}")
    content = client.get(CATALOG_URL, {"q": "公益", "tier": "basic"}).content.decode()
    assert "?q=%E5%85%AC%E7%9B%8A&amp;tier=basic&amp;page=2" in content


@pytest.fixture
def eligibility_world(course_index, trainee):
    """One course for each reason a card can give."""
    now = timezone.now()
    basic = add_course(course_index, "公益理念")
    TrainingClassFactory(course=basic)
    with_prerequisite = add_course(course_index, "活动策划")
    with_prerequisite.prerequisites.add(basic)
    with_prerequisite.save_revision().publish()
    TrainingClassFactory(course=with_prerequisite)
    for_volunteers = add_course(course_index, "团队管理", minimum_level=Level.VOLUNTEER)
    TrainingClassFactory(course=for_volunteers)
    full = add_course(course_index, "应急处置")
    TrainingClassFactory(course=full, capacity=1, seats_taken=1)
    closed = add_course(course_index, "资源整合")
    TrainingClassFactory(
        course=closed,
        enrol_opens_at=now - timedelta(days=9),
        enrol_closes_at=now - timedelta(days=1),
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    later = add_course(course_index, "社区议事")
    TrainingClassFactory(
        course=later,
        enrol_opens_at=now + timedelta(days=3),
        enrol_closes_at=now + timedelta(days=9),
    )
    add_course(course_index, "心理疏导")  # no class at all
    enrolled = add_course(course_index, "服务礼仪")
    services.enroll_trainee(
        TrainingClassFactory(course=enrolled), trainee=trainee, actor=trainee
    )


def test_each_card_tells_a_trainee_whether_and_why_not(
    client, trainee, eligibility_world
):
    client.force_login(trainee)
    response = client.get(CATALOG_URL)
    found = verdicts(response)
    assert found["公益理念"] == ("open", "")
    assert found["活动策划"] == ("refused", "需先完成先修课程：《公益理念》")
    assert found["团队管理"] == ("refused", "需达到「志愿者」等级")
    assert found["应急处置"] == ("refused", "名额已满")
    assert found["资源整合"] == ("refused", "报名已截止")
    state, reason = found["社区议事"]
    assert state == "refused" and reason.startswith("报名尚未开始（")
    assert found["心理疏导"] == ("refused", "暂无开班计划")
    assert found["服务礼仪"] == ("enrolled", "您已报名该课程")
    content = response.content.decode()
    for text in ("可报名", "需先完成先修课程：《公益理念》", "名额已满", "报名已截止"):
        assert text in content


def test_a_visitor_is_asked_to_log_in_to_enrol(client, eligibility_world):
    response = client.get(CATALOG_URL)
    found = verdicts(response)
    assert found["公益理念"] == ("login", "登录后报名")
    assert found["活动策划"] == ("login", "登录后报名")
    assert found["应急处置"] == ("refused", "名额已满")
    assert "/accounts/login/?next=" in response.content.decode()


def test_a_course_completed_says_so(client, trainee, training_class, lessons):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.submit_quiz(
        enrollment, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=trainee
    )
    for lesson in lessons:
        services.complete_lesson(enrollment, lesson, actor=trainee)
    training_class.ends_on = timezone.localdate() - timedelta(days=1)
    training_class.starts_on = training_class.ends_on
    training_class.save()
    client.force_login(trainee)
    assert verdicts(client.get(CATALOG_URL))["公益理念"] == (
        "completed",
        "您已完成该课程",
    )


def _build_catalogue(course_index, count: int, start: int, image) -> None:
    prerequisite = CoursePageFactory(
        parent=course_index, title=f"先修{start}", cover_image=image
    )
    TrainingClassFactory(course=prerequisite)
    for number in range(start, start + count - 1):
        course = CoursePageFactory(
            parent=course_index,
            title=f"课程{number:04d}",
            tier=Tier.values[number % 3],
            is_featured=number % 4 == 0,
            cover_image=image,
        )
        course.prerequisites.add(prerequisite)
        course.save_revision().publish()
        TrainingClassFactory(course=course, level=ClassLevel.values[number % 3])
        TrainingClassFactory(course=course, capacity=1, seats_taken=1)


def _catalogue_queries(client, params: dict) -> int:
    client.get(CATALOG_URL, params)  # warm-up: site root paths, image renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CATALOG_URL, params)
    assert response.status_code == 200
    assert response.context["cards"]
    return len(queries)


CASES = {
    "all": {},
    "tier-featured": {"tier": "basic", "featured": "1"},
    "level": {"level": "city"},
    "search": {"q": "课程"},
    "page-2": {"page": "2"},
}


def _measure(trainee) -> dict[str, int]:
    from django.test import Client

    visitor, member = Client(), Client()
    member.force_login(trainee)
    return {
        f"{who}-{name}": _catalogue_queries(client, params)
        for who, client in (("visitor", visitor), ("trainee", member))
        for name, params in CASES.items()
    }


def test_the_catalogue_costs_the_same_queries_for_10_and_60_courses(
    trainee, course_index
):
    image = wagtail_factories.ImageFactory()
    _build_catalogue(course_index, 10, 0, image)
    small = _measure(trainee)
    _build_catalogue(course_index, 50, 100, image)
    large = _measure(trainee)
    assert small == large
    assert max(large.values()) <= 20, large
