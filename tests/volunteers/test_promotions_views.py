"""Promotion pages: the public notice (masked names, readable by anyone, an
objection needs a login), applying for 社区主理人 (refused with what is missing,
once only), my applications (mine only: 404 otherwise), and the admin's review
queue and objections (administrators only). No GET changes anything."""

from datetime import timedelta

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from certificates import services as certificate_services
from certificates.views import mask_name
from courses.models import Tier
from school import roles
from school.models import Level, User
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from tests.factories import UserFactory
from volunteers import promotions
from volunteers.models import Objection, Promotion

pytestmark = pytest.mark.django_db

Status = Promotion.Status


@pytest.fixture
def talent(trainee):
    User.objects.filter(pk=trainee.pk).update(level=Level.TALENT)
    trainee.refresh_from_db()
    return trainee


@pytest.fixture
def leadership_certificate(talent, course_index, certificate_template):
    course = CoursePageFactory(
        parent=course_index, tier=Tier.LEADERSHIP, title="社区领导力"
    )
    enrollment = completed_enrollment(TrainingClassFactory(course=course), talent)
    return certificate_services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )


@pytest.fixture
def coordinator(community):
    return UserFactory(real_name="孙协调", org_unit=community, role=roles.COORDINATOR)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pending(person) -> Promotion:
    return Promotion.objects.create(
        person=person,
        from_level=person.level,
        to_level=Level.MANAGER,
        status=Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
        statement="希望在社区开办夜校。",
        reasons=["持有领导力提升班结业证书"],
    )


@pytest.fixture
def in_notice(talent, school_admin):
    promotion = pending(talent)
    with transaction.atomic():
        promotions.approve_promotion(promotion, actor=school_admin)
    return promotion


def status_of(promotion) -> str:
    promotion.refresh_from_db()
    return promotion.status


# --- the public notice ------------------------------------------------------------------


def test_anyone_reads_the_notice_with_masked_names_and_reasons(in_notice):
    response = client_for().get(reverse("promotions:notice"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "张三" not in page
    assert mask_name("张三") in page
    assert "社区主理人" in page
    assert "持有领导力提升班结业证书" in page
    assert "桃园社区" in page
    assert "登录后提出异议" in page
    assert status_of(in_notice) == Status.IN_NOTICE


def test_a_visitor_posting_an_objection_is_sent_to_log_in(in_notice):
    response = client_for().post(
        reverse("promotions:object", args=[in_notice.pk]), {"reason": "理由"}
    )

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Objection.objects.exists()


def test_a_logged_in_reader_objects_and_the_promotion_is_held(in_notice, other_trainee):
    client = client_for(other_trainee)
    response = client.post(
        reverse("promotions:object", args=[in_notice.pk]),
        {"reason": "该同志服务时长有误"},
        follow=True,
    )

    assert "异议已提交" in response.content.decode()
    assert status_of(in_notice) == Status.ON_HOLD
    assert Objection.objects.get().objector == other_trainee
    page = client.get(reverse("promotions:notice")).content.decode()
    assert "您已对该晋级提出异议" in page


def test_an_objection_without_a_reason_changes_nothing(in_notice, other_trainee):
    response = client_for(other_trainee).post(
        reverse("promotions:object", args=[in_notice.pk]), {"reason": ""}, follow=True
    )

    assert "请填写异议理由" in response.content.decode()
    assert status_of(in_notice) == Status.IN_NOTICE


def test_objecting_to_a_promotion_not_in_notice_is_a_404(talent, other_trainee):
    promotion = pending(talent)
    response = client_for(other_trainee).post(
        reverse("promotions:object", args=[promotion.pk]), {"reason": "理由"}
    )
    assert response.status_code == 404


def test_get_on_the_objection_url_changes_nothing(in_notice, other_trainee):
    response = client_for(other_trainee).get(
        reverse("promotions:object", args=[in_notice.pk])
    )
    assert response.status_code == 405
    assert status_of(in_notice) == Status.IN_NOTICE


# --- applying ----------------------------------------------------------------------------


def test_the_apply_page_says_what_is_still_missing_and_refuses_the_application(
    talent,
):
    client = client_for(talent)
    page = client.get(reverse("promotions:apply")).content.decode()
    assert "暂时还不能申请" in page
    assert "领导力提升班" in page

    response = client.post(reverse("promotions:apply"), {"statement": "我想申请"})

    assert response.status_code == 400
    assert "领导力提升班" in response.content.decode()
    assert not Promotion.objects.exists()


def test_a_qualified_talent_applies_once_and_waits_for_review(
    talent, leadership_certificate
):
    client = client_for(talent)
    assert "提交申请" in client.get(reverse("promotions:apply")).content.decode()
    assert not Promotion.objects.exists()  # the GET wrote nothing

    response = client.post(
        reverse("promotions:apply"), {"statement": "三年社区服务，想办夜校。"}
    )

    promotion = Promotion.objects.get()
    assert response.status_code == 302
    assert (promotion.status, promotion.source) == (
        Status.PENDING_REVIEW,
        Promotion.Source.APPLICATION,
    )
    assert promotion.from_level == Level.TALENT
    assert promotion.reasons  # what it rests on, for the notice
    again = client.post(reverse("promotions:apply"), {"statement": "再申请一次"})
    assert again["Location"] == reverse("promotions:promotion", args=[promotion.pk])
    assert Promotion.objects.count() == 1
    assert "查看申请进度" in client.get(reverse("promotions:apply")).content.decode()


def test_the_service_refuses_a_second_open_application(talent, leadership_certificate):
    promotions.apply_for_level(talent, to_level=Level.MANAGER, statement="第一次")

    with pytest.raises(Exception, match="正在处理中"):
        promotions.apply_for_level(talent, to_level=Level.MANAGER, statement="第二次")


def test_only_the_next_step_and_only_an_applied_one_is_applied_for(trainee):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="高一级"):
        promotions.apply_for_level(trainee, to_level=Level.MANAGER, statement="跳级")
    with pytest.raises(ValidationError, match="无须申请"):
        promotions.apply_for_level(trainee, to_level=Level.VOLUNTEER, statement="申请")


def test_a_visitor_is_sent_to_log_in_for_my_pages():
    for name in ("promotions:apply", "promotions:mine"):
        response = client_for().get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


# --- my applications -----------------------------------------------------------------


def test_a_trainee_sees_only_their_own_applications(talent, other_trainee):
    mine = pending(talent)
    client = client_for(talent)

    assert client.get(reverse("promotions:promotion", args=[mine.pk])).status_code == (
        200
    )
    listing = client.get(reverse("promotions:mine")).content.decode()
    assert "待审核" in listing
    other = client_for(other_trainee)
    assert other.get(reverse("promotions:promotion", args=[mine.pk])).status_code == (
        404
    )
    assert other.get(reverse("promotions:promotion", args=[9999])).status_code == 404
    assert "待审核" not in other.get(reverse("promotions:mine")).content.decode()


def test_a_rejected_application_shows_its_reason_to_the_applicant(talent, school_admin):
    promotion = pending(talent)
    promotions.reject_promotion(promotion, actor=school_admin, reason="服务时长不足")

    page = (
        client_for(talent)
        .get(reverse("promotions:promotion", args=[promotion.pk]))
        .content.decode()
    )
    assert "服务时长不足" in page


# --- the admin --------------------------------------------------------------------------


def test_the_review_queue_shows_the_applicant_with_certificates_hours_and_points(
    talent, leadership_certificate, school_admin
):
    pending(talent)

    response = client_for(school_admin).get(reverse("promotion_review:queue"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "张三" in page
    assert "社区领导力" in page
    assert "希望在社区开办夜校" in page


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.COORDINATOR])
def test_volunteers_and_coordinators_neither_see_nor_decide(talent, grid, role):
    someone = UserFactory(org_unit=grid, role=role)
    promotion = pending(talent)
    client = client_for(someone)

    for url in (reverse("promotion_review:queue"), reverse("promotion_review:notices")):
        assert client.get(url).status_code in (302, 403, 404)
    response = client.post(
        reverse("promotion_review:decide", args=[promotion.pk]), {"action": "approve"}
    )
    assert response.status_code in (302, 403, 404)
    assert status_of(promotion) == Status.PENDING_REVIEW


def test_an_administrator_approves_into_the_notice(talent, school_admin):
    promotion = pending(talent)

    response = client_for(school_admin).post(
        reverse("promotion_review:decide", args=[promotion.pk]),
        {"action": "approve"},
        follow=True,
    )

    assert "进入公示" in response.content.decode()
    assert status_of(promotion) == Status.IN_NOTICE


def test_a_rejection_without_a_reason_is_refused_with_a_message(talent, school_admin):
    promotion = pending(talent)
    client = client_for(school_admin)
    url = reverse("promotion_review:decide", args=[promotion.pk])

    refused = client.post(url, {"action": "reject", "reason": ""}, follow=True)
    assert "请填写未通过的原因" in refused.content.decode()
    assert status_of(promotion) == Status.PENDING_REVIEW

    client.post(url, {"action": "reject", "reason": "材料不全"})
    assert status_of(promotion) == Status.REJECTED


def test_an_administrator_cannot_approve_their_own_promotion(school_admin):
    User.objects.filter(pk=school_admin.pk).update(level=Level.TALENT)
    school_admin.refresh_from_db()
    promotion = pending(school_admin)

    response = client_for(school_admin).post(
        reverse("promotion_review:decide", args=[promotion.pk]),
        {"action": "approve"},
        follow=True,
    )

    assert "不能审核自己的晋级" in response.content.decode()
    assert status_of(promotion) == Status.PENDING_REVIEW


def test_an_administrator_resolves_an_objection_from_the_notices_page(
    in_notice, other_trainee, school_admin
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="情况不实"
    )
    client = client_for(school_admin)
    page = client.get(reverse("promotion_review:notices")).content.decode()
    assert "情况不实" in page

    client.post(
        reverse("promotion_review:resolve", args=[objection.pk]),
        {"outcome": "dismiss", "note": "经核实不成立"},
    )

    objection.refresh_from_db()
    assert objection.resolution == Objection.Resolution.DISMISSED
    assert status_of(in_notice) == Status.IN_NOTICE


def test_admin_pages_change_nothing_on_get(in_notice, other_trainee, school_admin):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="情况不实"
    )
    client = client_for(school_admin)
    for url in (
        reverse("promotion_review:queue"),
        reverse("promotion_review:notices"),
    ):
        assert client.get(url).status_code == 200
    for url in (
        reverse("promotion_review:decide", args=[in_notice.pk]),
        reverse("promotion_review:resolve", args=[objection.pk]),
    ):
        assert client.get(url).status_code == 405
    objection.refresh_from_db()
    assert objection.resolution == ""
    assert status_of(in_notice) == Status.ON_HOLD


def test_the_notice_shows_a_held_promotion_as_held(in_notice, other_trainee):
    promotions.lodge_objection(in_notice, objector=other_trainee, reason="理由")
    Promotion.objects.filter(pk=in_notice.pk).update(
        notice_ends_at=timezone.now() - timedelta(days=1)
    )

    page = client_for().get(reverse("promotions:notice")).content.decode()

    assert "有异议，暂停公示" in page
