"""Enrolment, approval, withdrawal and bulk enrolment through courses.services,
against the real database. Every refusal carries the reason a trainee reads."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from courses import services
from courses.models import Enrollment, EnrollmentEvent, TrainingClass
from courses.permissions import class_refusal
from courses.selectors import standing_for
from school import roles
from school.models import Level, OrgUnit
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
)
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Enrollment.Status
Kind = EnrollmentEvent.Kind


def _refusal(training_class, *, trainee, actor=None) -> str:
    with pytest.raises(ValidationError) as caught:
        services.enroll_trainee(training_class, trainee=trainee, actor=actor or trainee)
    [message] = caught.value.messages
    return message


def _seats(training_class: TrainingClass) -> int:
    training_class.refresh_from_db()
    return training_class.seats_taken


def _kinds(enrollment: Enrollment) -> list[str]:
    return list(enrollment.events.values_list("kind", flat=True))


def _complete_course(course, trainee) -> Enrollment:
    """Take `course` from enrolment to completion through the services."""
    lesson = LessonPageFactory(parent=course, title="唯一一课")
    enrollment = services.enroll_trainee(
        TrainingClassFactory(course=course), trainee=trainee, actor=trainee
    )
    assert services.complete_lesson(enrollment, lesson, actor=trainee)
    return enrollment


# Enrolling -----------------------------------------------------------------


def test_a_trainee_enrols_in_an_open_class_and_takes_a_seat(trainee, training_class):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert enrollment.status == Status.ACTIVE
    assert _seats(training_class) == 1
    event = enrollment.events.get()
    assert (event.kind, event.actor) == (Kind.ENROLLED, trainee)


def test_enrolment_is_refused_until_the_prerequisite_course_is_completed(
    course_index, course, trainee, training_class
):
    etiquette = CoursePageFactory(parent=course_index, title="服务礼仪")
    course.prerequisites.add(etiquette)
    course.save()

    assert _refusal(training_class, trainee=trainee) == "需先完成先修课程：《服务礼仪》"
    assert not Enrollment.objects.filter(training_class=training_class).exists()
    assert _seats(training_class) == 0

    _complete_course(etiquette, trainee)
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert enrollment.status == Status.ACTIVE


def test_every_missing_prerequisite_is_named_in_the_refusal(
    course_index, course, trainee, training_class
):
    first = CoursePageFactory(parent=course_index, title="服务礼仪")
    second = CoursePageFactory(parent=course_index, title="活动策划")
    course.prerequisites.add(first, second)
    course.save()
    _complete_course(first, trainee)

    assert _refusal(training_class, trainee=trainee) == "需先完成先修课程：《活动策划》"

    course.prerequisites.add(CoursePageFactory(parent=course_index, title="应急处置"))
    course.save()

    assert _refusal(training_class, trainee=trainee) == (
        "需先完成先修课程：《活动策划》、《应急处置》"
    )


def test_an_unfinished_enrolment_in_the_prerequisite_does_not_count(
    course_index, course, trainee, training_class
):
    etiquette = CoursePageFactory(parent=course_index, title="服务礼仪")
    course.prerequisites.add(etiquette)
    course.save()
    LessonPageFactory(parent=etiquette)
    services.enroll_trainee(
        TrainingClassFactory(course=etiquette), trainee=trainee, actor=trainee
    )

    assert _refusal(training_class, trainee=trainee) == "需先完成先修课程：《服务礼仪》"


def test_an_administrator_cannot_enrol_someone_who_lacks_the_prerequisite(
    course_index, course, trainee, school_admin, training_class
):
    course.prerequisites.add(CoursePageFactory(parent=course_index, title="服务礼仪"))
    course.save()

    message = _refusal(training_class, trainee=trainee, actor=school_admin)

    assert message == "需先完成先修课程：《服务礼仪》"


@pytest.mark.parametrize(
    ("level", "allowed"),
    [
        (Level.RESIDENT, False),
        (Level.VOLUNTEER, False),
        (Level.TALENT, True),
        (Level.MANAGER, True),
    ],
)
def test_enrolment_needs_the_course_minimum_level(
    course, grid, training_class, level, allowed
):
    course.minimum_level = Level.TALENT
    course.save()
    person = UserFactory(org_unit=grid, level=level, role=roles.TRAINEE)

    if allowed:
        services.enroll_trainee(training_class, trainee=person, actor=person)
        assert _seats(training_class) == 1
    else:
        assert _refusal(training_class, trainee=person) == "需达到「社区能人」等级"
        assert _seats(training_class) == 0


def test_enrolment_is_refused_before_the_window_opens(course, trainee):
    opens = timezone.now() + timedelta(days=2)
    training_class = TrainingClassFactory(
        course=course, enrol_opens_at=opens, enrol_closes_at=opens + timedelta(days=5)
    )

    assert _refusal(training_class, trainee=trainee).startswith("报名尚未开始（")
    assert not Enrollment.objects.exists()


def test_enrolment_is_refused_once_the_window_has_closed(course, trainee):
    closed = timezone.now() - timedelta(minutes=1)
    training_class = TrainingClassFactory(
        course=course, enrol_opens_at=closed - timedelta(days=5), enrol_closes_at=closed
    )

    assert _refusal(training_class, trainee=trainee) == "报名已截止"
    assert _seats(training_class) == 0


def test_the_window_opens_on_its_first_instant_and_closes_on_its_last(
    trainee, training_class
):
    standing = standing_for(trainee)
    opens, closes = training_class.enrol_opens_at, training_class.enrol_closes_at

    assert class_refusal(training_class, standing, at=opens) is None
    assert class_refusal(training_class, standing, at=closes) == "报名已截止"
    assert class_refusal(
        training_class, standing, at=opens - timedelta(seconds=1)
    ).startswith("报名尚未开始")


def test_a_second_enrolment_in_the_same_class_is_refused(trainee, training_class):
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert _refusal(training_class, trainee=trainee) == "您已报名该班"
    assert Enrollment.objects.filter(trainee=trainee).count() == 1
    assert _seats(training_class) == 1


def test_enrolment_in_an_inactive_class_is_refused(trainee, training_class):
    training_class.is_active = False
    training_class.save()

    assert _refusal(training_class, trainee=trainee) == "该班已停办"


def test_a_full_class_refuses_enrolment(course, trainee, other_trainee):
    training_class = TrainingClassFactory(course=course, capacity=1)
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert _refusal(training_class, trainee=other_trainee) == "名额已满"
    assert _seats(training_class) == 1


def test_a_refusal_is_judged_on_the_database_not_on_a_stale_object(
    course, trainee, other_trainee
):
    training_class = TrainingClassFactory(course=course, capacity=1)
    stale = TrainingClass.objects.get(pk=training_class.pk)
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert stale.seats_taken == 0
    assert _refusal(stale, trainee=other_trainee) == "名额已满"


# Approval ------------------------------------------------------------------


@pytest.fixture
def approval_class(course):
    return TrainingClassFactory(course=course, capacity=2, requires_approval=True)


def test_a_class_that_requires_approval_takes_a_request_without_a_seat(
    trainee, approval_class
):
    enrollment = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)

    assert enrollment.status == Status.PENDING
    assert _seats(approval_class) == 0
    assert _kinds(enrollment) == [Kind.REQUESTED]
    assert _refusal(approval_class, trainee=trainee) == "您已报名该班"


def test_an_administrator_enrolling_someone_skips_the_approval(
    trainee, school_admin, approval_class
):
    enrollment = services.enroll_trainee(
        approval_class, trainee=trainee, actor=school_admin
    )

    assert enrollment.status == Status.ACTIVE
    assert _seats(approval_class) == 1
    assert enrollment.events.get().actor == school_admin


def test_approving_a_request_takes_a_seat_and_records_who_approved(
    trainee, school_admin, approval_class
):
    request = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)

    approved = services.approve_enrollment(request, actor=school_admin)

    assert approved.status == Status.ACTIVE
    assert _seats(approval_class) == 1
    assert _kinds(approved) == [Kind.REQUESTED, Kind.APPROVED]
    assert approved.events.get(kind=Kind.APPROVED).actor == school_admin


def test_approving_is_refused_when_the_class_has_filled_up(
    grid, school_admin, approval_class
):
    people = [UserFactory(org_unit=grid, role=roles.TRAINEE) for _ in range(3)]
    requests = [
        services.enroll_trainee(approval_class, trainee=p, actor=p) for p in people
    ]
    services.approve_enrollment(requests[0], actor=school_admin)
    services.approve_enrollment(requests[1], actor=school_admin)

    with pytest.raises(ValidationError) as caught:
        services.approve_enrollment(requests[2], actor=school_admin)

    assert caught.value.messages == ["名额已满，无法通过审核。"]
    requests[2].refresh_from_db()
    assert requests[2].status == Status.PENDING
    assert _kinds(requests[2]) == [Kind.REQUESTED]
    assert _seats(approval_class) == 2


def test_rejecting_a_request_keeps_the_reason_and_takes_no_seat(
    trainee, school_admin, approval_class
):
    request = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)

    rejected = services.reject_enrollment(
        request, actor=school_admin, note="本期名额优先安排网格员"
    )

    assert rejected.status == Status.REJECTED
    assert _seats(approval_class) == 0
    event = rejected.events.get(kind=Kind.REJECTED)
    assert (event.actor, event.note) == (school_admin, "本期名额优先安排网格员")


def test_a_rejected_trainee_may_ask_again(trainee, school_admin, approval_class):
    request = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)
    services.reject_enrollment(request, actor=school_admin)

    again = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)

    assert again.pk != request.pk and again.status == Status.PENDING


@pytest.mark.parametrize("decision", ["approve_enrollment", "reject_enrollment"])
def test_only_a_pending_request_can_be_approved_or_rejected(
    trainee, school_admin, training_class, decision
):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    with pytest.raises(ValidationError) as caught:
        getattr(services, decision)(enrollment, actor=school_admin)

    assert caught.value.messages == ["只能审核待审核的报名。"]
    assert _seats(training_class) == 1


def test_a_request_cannot_be_approved_twice(trainee, school_admin, approval_class):
    request = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)
    services.approve_enrollment(request, actor=school_admin)

    with pytest.raises(ValidationError):
        services.approve_enrollment(request, actor=school_admin)

    assert _seats(approval_class) == 1


# Withdrawal ----------------------------------------------------------------


def test_withdrawing_frees_the_seat_for_the_next_trainee(
    course, trainee, other_trainee
):
    training_class = TrainingClassFactory(course=course, capacity=1)
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    assert _refusal(training_class, trainee=other_trainee) == "名额已满"

    withdrawn = services.withdraw_enrollment(enrollment, actor=trainee, note="工作冲突")

    assert withdrawn.status == Status.WITHDRAWN
    assert _seats(training_class) == 0
    assert withdrawn.events.get(kind=Kind.WITHDRAWN).note == "工作冲突"
    services.enroll_trainee(training_class, trainee=other_trainee, actor=other_trainee)
    assert _seats(training_class) == 1


def test_a_withdrawn_trainee_may_enrol_again(trainee, training_class):
    first = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.withdraw_enrollment(first, actor=trainee)

    again = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert again.status == Status.ACTIVE
    assert _seats(training_class) == 1


def test_withdrawing_a_pending_request_frees_no_seat_it_never_held(
    grid, trainee, school_admin, approval_class
):
    holder = UserFactory(org_unit=grid, role=roles.TRAINEE)
    services.enroll_trainee(approval_class, trainee=holder, actor=school_admin)
    request = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)

    services.withdraw_enrollment(request, actor=trainee)

    assert _seats(approval_class) == 1


def test_withdrawing_twice_frees_one_seat(course, trainee, other_trainee):
    training_class = TrainingClassFactory(course=course, capacity=2)
    services.enroll_trainee(training_class, trainee=other_trainee, actor=other_trainee)
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.withdraw_enrollment(enrollment, actor=trainee)

    with pytest.raises(ValidationError) as caught:
        services.withdraw_enrollment(enrollment, actor=trainee)

    assert caught.value.messages == ["已结业或已退出的报名不能再退出。"]
    assert _seats(training_class) == 1


def test_a_completed_enrolment_cannot_be_withdrawn(course, trainee):
    enrollment = _complete_course(course, trainee)

    with pytest.raises(ValidationError) as caught:
        services.withdraw_enrollment(enrollment, actor=trainee)

    assert caught.value.messages == ["已结业或已退出的报名不能再退出。"]
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED
    assert _seats(enrollment.training_class) == 1


# Bulk enrolment by org unit -------------------------------------------------


@pytest.fixture
def street(community) -> OrgUnit:
    """测试街道, holding 桃园社区 (with 第1网格) and 杏花社区 (with its own grid)."""
    street = community.get_parent()
    apricot = OrgUnitFactory(
        parent=street, name="杏花社区", kind=OrgUnit.Kind.COMMUNITY
    )
    OrgUnitFactory(parent=apricot, name="杏花第1网格", kind=OrgUnit.Kind.GRID)
    return OrgUnit.objects.get(pk=street.pk)


def _unit(name: str) -> OrgUnit:
    return OrgUnit.objects.get(name=name)


def _person(unit_name: str, real_name: str, **extra):
    extra.setdefault("level", Level.VOLUNTEER)
    extra.setdefault("role", roles.TRAINEE)
    return UserFactory(org_unit=_unit(unit_name), real_name=real_name, **extra)


def _names(people) -> list[str]:
    return sorted(person.real_name for person in people)


def test_bulk_enrolment_of_a_street_reaches_every_community_and_grid_up_to_capacity(
    street, course, school_admin
):
    course.minimum_level = Level.VOLUNTEER
    course.save()
    training_class = TrainingClassFactory(course=course, capacity=5)
    already = _person("第1网格", "甲")
    services.enroll_trainee(training_class, trainee=already, actor=already)
    for unit, name in [
        ("桃园社区", "乙"),
        ("第1网格", "丙"),
        ("杏花社区", "丁"),
        ("杏花第1网格", "戊"),
        ("杏花第1网格", "己"),
        ("第1网格", "庚"),
    ]:
        _person(unit, name)
    resident = _person("杏花社区", "辛", level=Level.RESIDENT)
    _person("第1网格", "停用", is_active=False)
    elsewhere = OrgUnitFactory(
        parent=street.get_parent(), name="别的街道", kind=OrgUnit.Kind.STREET
    )
    UserFactory(org_unit=elsewhere, real_name="外街道", role=roles.TRAINEE)

    report = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert _names(report.already) == ["甲"]
    assert report.ineligible == [(resident, "需达到「志愿者」等级")]
    assert len(report.enrolled) == 4 and len(report.no_seat) == 2
    assert _names(report.enrolled + report.no_seat) == [
        "丁",
        "丙",
        "乙",
        "己",
        "庚",
        "戊",
    ]
    assert _seats(training_class) == 5
    live = Enrollment.objects.filter(training_class=training_class)
    assert live.filter(status=Status.ACTIVE).count() == 5
    assert _names(e.trainee for e in live) == _names([already, *report.enrolled])
    events = EnrollmentEvent.objects.filter(
        enrollment__training_class=training_class, actor=school_admin
    )
    assert events.count() == 4
    assert {event.note for event in events} == {"按单位批量报名：测试街道"}


def test_bulk_enrolment_names_the_missing_prerequisite(
    street, course_index, course, school_admin, training_class
):
    etiquette = CoursePageFactory(parent=course_index, title="服务礼仪")
    course.prerequisites.add(etiquette)
    course.save()
    ready = _person("杏花社区", "已修")
    _complete_course(etiquette, ready)
    not_ready = _person("杏花社区", "未修")

    report = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert report.enrolled == [ready]
    assert report.ineligible == [(not_ready, "需先完成先修课程：《服务礼仪》")]


def test_bulk_enrolment_of_a_grid_takes_only_that_grid(
    street, course, school_admin, training_class
):
    here = _person("杏花第1网格", "网格内")
    _person("杏花社区", "社区内")

    report = services.bulk_enroll(
        training_class, org_unit=_unit("杏花第1网格"), actor=school_admin
    )

    assert report.enrolled == [here]
    assert _seats(training_class) == 1


def test_bulk_enrolment_enrols_trainees_not_the_staff_who_live_there(
    grid, trainee, instructor, site_host, school_admin, training_class
):
    report = services.bulk_enroll(training_class, org_unit=grid, actor=school_admin)

    assert report.enrolled == [trainee]
    assert _seats(training_class) == 1


def test_bulk_enrolment_ignores_the_window_and_the_approval(
    street, course, school_admin
):
    closed = timezone.now() - timedelta(days=1)
    training_class = TrainingClassFactory(
        course=course,
        requires_approval=True,
        enrol_opens_at=closed - timedelta(days=5),
        enrol_closes_at=closed,
    )
    person = _person("杏花社区", "补报")

    report = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert report.enrolled == [person]
    assert Enrollment.objects.get(trainee=person).status == Status.ACTIVE


def test_bulk_enrolment_reports_a_pending_request_as_already_enrolled(
    street, course, school_admin
):
    training_class = TrainingClassFactory(course=course, requires_approval=True)
    person = _person("杏花社区", "申请中")
    services.enroll_trainee(training_class, trainee=person, actor=person)

    report = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert report.already == [person] and report.enrolled == []
    assert _seats(training_class) == 0


def test_bulk_enrolling_the_same_unit_twice_changes_nothing_the_second_time(
    street, course, school_admin
):
    training_class = TrainingClassFactory(course=course, capacity=2)
    for name in ["一", "二", "三"]:
        _person("杏花社区", name)
    first = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    second = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert _names(second.already) == _names(first.enrolled)
    assert second.enrolled == [] and _names(second.no_seat) == _names(first.no_seat)
    assert _seats(training_class) == 2
    assert Enrollment.objects.filter(training_class=training_class).count() == 2


def test_bulk_enrolment_into_a_full_class_enrols_nobody(
    street, course, trainee, school_admin
):
    training_class = TrainingClassFactory(course=course, capacity=1)
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    waiting = _person("杏花社区", "等位")

    report = services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert report.enrolled == [] and report.no_seat == [waiting]
    assert _seats(training_class) == 1


def test_bulk_enrolment_into_an_inactive_class_is_refused(
    street, school_admin, training_class
):
    training_class.is_active = False
    training_class.save()
    _person("杏花社区", "某人")

    with pytest.raises(ValidationError) as caught:
        services.bulk_enroll(training_class, org_unit=street, actor=school_admin)

    assert caught.value.messages == ["该班已停办"]
    assert not Enrollment.objects.exists()


# Class dates ---------------------------------------------------------------


def test_lessons_and_quizzes_are_refused_before_the_class_starts(
    trainee, training_class, lessons
):
    starts = timezone.localdate() + timedelta(days=5)
    training_class.starts_on = starts
    training_class.ends_on = starts + timedelta(days=2)
    training_class.save()
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    quiz_lesson = next(lesson for lesson in lessons if lesson.quiz is not None)
    notice = (
        f"本班 {starts.year}年{starts.month}月{starts.day}日 开课，届时即可开始学习"
    )

    with pytest.raises(ValidationError) as completing:
        services.complete_lesson(enrollment, lessons[0], actor=trainee)
    with pytest.raises(ValidationError) as answering:
        services.submit_quiz(
            enrollment, quiz_lesson, answers={"q0": [0], "q1": [0]}, actor=trainee
        )

    assert completing.value.messages == answering.value.messages == [notice]
    assert completing.value.code == "class_not_started"
    assert not enrollment.progress.exists()
    assert not enrollment.quiz_attempts.exists()


def test_lessons_open_on_the_class_start_date(trainee, training_class, lessons):
    training_class.starts_on = timezone.localdate()
    training_class.save()
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.complete_lesson(enrollment, lessons[0], actor=trainee)
    assert enrollment.progress.count() == 1
