"""The volunteers app in the 消息中心: promotions (review, public notice,
objections, taking effect), level changes, recruitment decisions and redemption
codes — one notification each however often the use case or job runs, e-mail
after commit where it is sent."""

from django.core import mail
from django.db import transaction

import pytest

from school.models import Level, Notification
from tests.volunteers.test_promotions import approve, later, pending
from tests.volunteers.test_recruitment import apply
from tests.volunteers.test_recruitment_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import backdate, credit
from volunteers import promotions, recruitment, redemptions
from volunteers.levels import change_level
from volunteers.models import LevelEvent

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def academy(volunteer_academy):
    return volunteer_academy


@pytest.fixture
def talent(trainee):
    """张三, a 社区能人 who may become a 社区主理人."""
    trainee.level = Level.TALENT
    trainee.save(update_fields=["level"])
    return trainee


@pytest.fixture
def in_notice(talent, school_admin, academy):
    return approve(pending(talent), school_admin)


def kinds_of(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_approval_into_public_notice_is_notified_and_emailed_after_commit(
    talent, school_admin, academy, django_capture_on_commit_callbacks
):
    talent.email = "zhangsan@example.cn"
    talent.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        promotion = approve(pending(talent), school_admin)
    [notification] = Notification.objects.filter(recipient=talent)
    assert notification.kind == Kind.NOTICE and "公示" in notification.title
    assert notification.url == f"/volunteer/promotions/mine/{promotion.pk}/"
    [message] = mail.outbox
    assert message.to == [talent.email] and message.subject == notification.title


def test_an_objection_and_its_dismissal_tell_both_sides_once(
    in_notice, talent, other_trainee, school_admin
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="他并不在本社区服务"
    )
    promotions.resolve_objection(
        objection, actor=school_admin, upheld=False, note="经核实在本社区服务"
    )
    assert kinds_of(talent) == [Kind.NOTICE, Kind.NOTICE, Kind.NOTICE]
    titles = Notification.objects.filter(recipient=talent).values_list(
        "title", flat=True
    )
    assert any("收到异议" in t for t in titles)
    assert any("公示继续" in t for t in titles)
    [told] = Notification.objects.filter(recipient=other_trainee)
    assert "不成立" in told.title and "经核实在本社区服务" in told.body
    # The person in notice is never told who objected.
    assert not Notification.objects.filter(
        recipient=talent, body__contains=other_trainee.real_name
    ).exists()


def test_an_upheld_objection_rejects_and_says_so_once(
    in_notice, talent, other_trainee, school_admin
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="材料不实"
    )
    promotions.resolve_objection(
        objection, actor=school_admin, upheld=True, note="材料不实"
    )
    rejected = Notification.objects.get(recipient=talent, kind=Kind.PROMOTION)
    assert "未通过" in rejected.title and "异议成立" in rejected.body


def test_the_end_of_the_notice_notifies_the_level_change_once(in_notice, talent):
    assert promotions.finish_notices(now=later(8)) == 1
    assert promotions.finish_notices(now=later(9)) == 0
    [changed] = Notification.objects.filter(
        recipient=talent, key__startswith="level-event-"
    )
    assert "社区主理人" in changed.title and changed.url == "/volunteer/growth/"
    # The letter of appointment is in the centre too.
    assert (
        Notification.objects.filter(recipient=talent, kind=Kind.CERTIFICATE).count()
        == 1
    )


def test_a_rejection_is_notified(talent, school_admin):
    promotion = pending(talent)
    promotions.reject_promotion(promotion, actor=school_admin, reason="服务时长不足")
    [notification] = Notification.objects.filter(recipient=talent)
    assert "服务时长不足" in notification.body


def test_each_level_change_is_one_notification(trainee):
    with transaction.atomic():
        event = change_level(
            trainee,
            from_level=Level.RESIDENT,
            to_level=Level.VOLUNTEER,
            kind=LevelEvent.Kind.PROMOTED,
            actor=None,
        )
    [notification] = Notification.objects.filter(recipient=trainee)
    assert notification.key == f"level-event-{event.pk}"
    assert "居民" in notification.title and "志愿者" in notification.title


def test_recruitment_shortlist_and_turn_down_are_notified_once(
    a_round, talents, school_admin
):
    applications = [apply(a_round, person) for person in talents]
    recruitment.shortlist(applications[0], actor=school_admin)
    recruitment.close_round(a_round, actor=school_admin)
    first, *rest = talents
    # The talents' certificates were in the 消息中心 before the round.
    news = Notification.objects.exclude(kind=Notification.Kind.CERTIFICATE)
    assert [n.title for n in news.filter(recipient=first)] == [
        f"{a_round.title}：未入选",
        f"{a_round.title}：入围",
    ]
    for person in rest:
        assert news.filter(recipient=person).count() == 1


def test_redemption_codes_issued_used_cancelled_expired_each_once(
    volunteer, reward, merchant_staff, django_capture_on_commit_callbacks
):
    volunteer.email = "zhao@example.cn"
    volunteer.save(update_fields=["email"])
    credit(volunteer, 100)
    used = redemptions.redeem_reward(reward, person=volunteer)
    redemptions.mark_used(used.code, actor=merchant_staff)
    cancelled = redemptions.redeem_reward(reward, person=volunteer)
    redemptions.cancel_redemption(cancelled, actor=volunteer)
    expired = redemptions.redeem_reward(reward, person=volunteer)
    backdate(expired, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert redemptions.expire_redemptions() == 1
    assert redemptions.expire_redemptions() == 0
    titles = list(
        Notification.objects.filter(recipient=volunteer)
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert [t.split("：")[0] for t in titles] == [
        "兑换成功",
        "兑换码已使用",
        "兑换成功",
        "兑换已取消",
        "兑换成功",
        "兑换码已过期",
    ]
    assert set(kinds_of(volunteer)) == {Kind.REDEMPTION}
    # Only the expiry is e-mailed.
    [message] = mail.outbox
    assert message.subject.startswith("兑换码已过期")
    assert "30 积分已退回" in message.body
