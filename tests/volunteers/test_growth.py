"""我的成长: the person's own story on one page, and nobody else's."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import Tier
from school.models import Level
from tests.courses.factories import CoursePageFactory
from tests.factories import UserFactory
from volunteers import growth, ledger, levels
from volunteers.models import LevelEvent, PointEntry, Promotion

pytestmark = pytest.mark.django_db

URL = "/volunteer/growth/"


def promote(person, to_level, *, actor=None):
    with transaction.atomic():
        return levels.change_level(
            person,
            from_level=person.level,
            to_level=to_level,
            kind=LevelEvent.Kind.PROMOTED,
            actor=actor,
        )


def test_the_page_is_at_volunteer_growth():
    assert reverse("growth:mine") == URL


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_post_is_refused(client, trainee):
    client.force_login(trainee)
    assert client.post(URL).status_code == 405


def test_a_resident_sees_the_ladder_with_their_place_on_it(client, trainee):
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    for label in ("居民", "志愿者", "社区能人", "社区主理人"):
        assert label in page
    assert page.count('aria-current="step"') == 1
    assert "您现在是：居民" in page


def test_the_level_says_since_when_from_its_level_event(client, trainee):
    event = promote(trainee, Level.VOLUNTEER)
    LevelEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now().replace(year=2026, month=3, day=4, hour=12)
    )
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "您现在是：志愿者" in page
    assert "自 2026-03-04 起" in page
    assert "居民 → 志愿者" in page


def test_a_resident_is_told_the_volunteer_step_needs_a_basic_certificate(
    client, trainee
):
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "晋级为志愿者还需要" in page
    assert "需完成基础通识班（获得结业证书）" in page


def test_a_volunteer_is_told_the_hours_and_the_specialist_class_still_needed(
    client, trainee
):
    promote(trainee, Level.VOLUNTEER)
    with transaction.atomic():
        ledger.append_entry(
            trainee, kind=PointEntry.Kind.CORRECTION, amount=10, hours=Decimal("8")
        )
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "晋级为社区能人还需要" in page
    assert "还差 12 小时服务" in page
    assert "需完成专项技能班（获得结业证书）" in page
    assert "未满足" in page


def test_a_manager_is_at_the_top(client, trainee):
    for level in (Level.VOLUNTEER, Level.TALENT, Level.MANAGER):
        promote(trainee, level)
    client.force_login(trainee)
    response = client.get(URL)
    assert response.context["growth"].next_step is None
    assert "您已是社区主理人" in response.content.decode()


def test_hours_earned_points_and_balance_and_their_history(client, trainee):
    with transaction.atomic():
        ledger.append_entry(trainee, kind=PointEntry.Kind.CORRECTION, amount=30)
        ledger.append_entry(trainee, kind=PointEntry.Kind.CORRECTION, amount=-5)
    client.force_login(trainee)
    response = client.get(URL)
    page = response.content.decode()
    assert response.context["growth"].balance.earned == 30
    assert response.context["growth"].balance.balance == 25
    assert "积分明细" in page
    assert [e.amount for e in response.context["history"]] == [-5, 30]


def test_the_points_history_is_paginated(client, trainee):
    with transaction.atomic():
        for _ in range(growth.HISTORY_PER_PAGE + 3):
            ledger.append_entry(trainee, kind=PointEntry.Kind.CORRECTION, amount=1)
    client.force_login(trainee)
    first = client.get(URL)
    assert len(first.context["history"].object_list) == growth.HISTORY_PER_PAGE
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert len(second.context["history"].object_list) == 3


def test_completion_certificates_show_with_their_tier(client, trainee, certificate):
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert certificate.number in page
    assert "公益理念" in page
    assert "基础通识班" in page


def test_attendance_per_enrolment(client, trainee, active_enrollment):
    client.force_login(trainee)
    response = client.get(URL)
    rows = response.context["growth"].attendance
    assert [row.enrollment for row in rows] == [active_enrollment]
    assert "暂无考勤" in response.content.decode()


def test_promotions_show_with_their_state(client, trainee):
    Promotion.objects.create(
        person=trainee,
        from_level=Level.RESIDENT,
        to_level=Level.VOLUNTEER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
    )
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "晋级为志愿者" in page
    assert "待审核" in page


def test_a_course_above_my_level_says_which_step_opens_it(
    client, trainee, course_index
):
    CoursePageFactory(
        parent=course_index,
        title="社区议事规则",
        slug="yi-shi",
        tier=Tier.SPECIALIST,
        minimum_level=Level.TALENT,
    )
    CoursePageFactory(parent=course_index, title="人人可学", slug="open")
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "社区议事规则" in page
    assert "达到社区能人后可报名" in page
    assert "人人可学" not in page


def test_a_course_within_my_level_is_not_listed_as_locked(
    client, trainee, course_index
):
    CoursePageFactory(
        parent=course_index,
        title="志愿者进阶",
        slug="jin-jie",
        minimum_level=Level.VOLUNTEER,
    )
    promote(trainee, Level.VOLUNTEER)
    client.force_login(trainee)
    assert "志愿者进阶" not in client.get(URL).content.decode()


def test_a_person_sees_only_their_own_growth(client, trainee, other_trainee):
    with transaction.atomic():
        ledger.append_entry(other_trainee, kind=PointEntry.Kind.CORRECTION, amount=77)
    promote(other_trainee, Level.VOLUNTEER)
    client.force_login(trainee)
    response = client.get(URL)
    assert response.context["growth"].person == trainee
    assert response.context["growth"].events == []
    assert not list(response.context["history"])
    assert "您现在是：居民" in response.content.decode()
    # There is no address for another person's growth.
    assert client.get(f"{URL}{other_trainee.pk}/").status_code == 404


def test_the_queries_do_not_grow_with_entries_or_events(client, course_index):
    counts = []
    for entries in (2, 40):
        for n in range(entries // 4):
            CoursePageFactory(
                parent=course_index,
                title=f"能人课{entries}-{n}",
                slug=f"c-{entries}-{n}",
                minimum_level=Level.TALENT,
            )
        person = UserFactory(level=Level.RESIDENT)
        with transaction.atomic():
            for _ in range(entries):
                ledger.append_entry(person, kind=PointEntry.Kind.CORRECTION, amount=1)
        promote(person, Level.VOLUNTEER)
        LevelEvent.objects.bulk_create(
            LevelEvent(
                person=person,
                kind=LevelEvent.Kind.FLAGGED,
                from_level=Level.VOLUNTEER,
                to_level=Level.VOLUNTEER,
                created_at=timezone.now() - timedelta(days=day),
            )
            for day in range(entries)
        )
        client.force_login(person)
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_my_service_links_to_my_growth(client, trainee):
    client.force_login(trainee)
    assert f'href="{URL}"' in client.get(reverse("services:mine")).content.decode()


def test_a_talent_is_pointed_to_apply_for_the_manager_step(client, trainee):
    for level in (Level.VOLUNTEER, Level.TALENT):
        promote(trainee, level)
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    assert "晋级为社区主理人还需要" in page
    assert "需本人申请并经审核" in page
    assert f'href="{reverse("promotions:apply")}"' in page


def test_my_promotion_links_to_its_page(client, trainee):
    promotion = Promotion.objects.create(
        person=trainee,
        from_level=Level.RESIDENT,
        to_level=Level.VOLUNTEER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
    )
    client.force_login(trainee)
    page = client.get(URL).content.decode()
    link = reverse("promotions:promotion", args=[promotion.pk])
    assert f'href="{link}"' in page
    assert client.get(link).status_code == 200
