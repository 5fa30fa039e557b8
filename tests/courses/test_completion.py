"""Progress and completion: the enrolment completes exactly once, with one event and
one `enrollment_completed` signal after commit, whatever the order or the races."""

import threading

from django.core.exceptions import ValidationError
from django.db import transaction

import pytest

from courses import services
from courses.models import Enrollment, EnrollmentEvent, LessonProgress
from courses.selectors import NOTHING_STUDIED, completion_rule_holds, study_records
from courses.signals import enrollment_completed
from school import roles
from tests.concurrency import run_concurrently
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Enrollment.Status
RIGHT = {"q0": [0], "q1": [0, 2]}


@pytest.fixture
def received():
    """The enrolment ids `enrollment_completed` was sent for, and whether each was
    sent outside any transaction (after commit) with the completion visible."""
    calls: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def receiver(sender, enrollment_id, **kwargs):
        # Outside every transaction but the test's own wrapper (which
        # django_capture_on_commit_callbacks stands in for committing).
        open_blocks = transaction.get_connection().atomic_blocks
        committed = (
            not any(not block._from_testcase for block in open_blocks)
            and Enrollment.objects.get(pk=enrollment_id).status == Status.COMPLETED
        )
        with lock:
            calls.append((enrollment_id, committed))

    enrollment_completed.connect(receiver, dispatch_uid="test-completion-receiver")
    yield calls
    enrollment_completed.disconnect(dispatch_uid="test-completion-receiver")


@pytest.fixture
def enrollment(trainee, training_class, lessons):
    return services.enroll_trainee(training_class, trainee=trainee, actor=trainee)


@pytest.fixture
def almost_done(enrollment, lessons):
    """First lesson studied and the quiz passed: only the second lesson is left."""
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)
    services.submit_quiz(
        enrollment, lessons[1], answers=RIGHT, actor=enrollment.trainee
    )
    return enrollment


def _completion_events(enrollment):
    return EnrollmentEvent.objects.filter(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.COMPLETED
    )


def _assert_completed_once(enrollment, received) -> None:
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED
    assert enrollment.completed_at is not None
    assert _completion_events(enrollment).count() == 1
    assert received == [(enrollment.pk, True)]


def test_completing_the_last_lesson_twice_completes_once(
    almost_done, lessons, received, django_capture_on_commit_callbacks
):
    trainee = almost_done.trainee
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complete_lesson(almost_done, lessons[1], actor=trainee)
        assert received == []
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.complete_lesson(almost_done, lessons[1], actor=trainee)

    _assert_completed_once(almost_done, received)
    assert _completion_events(almost_done).get().actor == trainee
    assert LessonProgress.objects.filter(enrollment=almost_done).count() == 2


def test_a_lesson_with_a_quiz_cannot_be_ticked_before_the_quiz_is_passed(
    enrollment, lessons, received, django_capture_on_commit_callbacks
):
    trainee = enrollment.trainee
    assert not services.complete_lesson(enrollment, lessons[0], actor=trainee)
    with pytest.raises(ValidationError) as caught:
        services.complete_lesson(enrollment, lessons[1], actor=trainee)
    assert caught.value.messages == ["请先通过本课时的测验，再标记为已学完。"]
    assert not LessonProgress.objects.filter(lesson=lessons[1]).exists()

    services.submit_quiz(enrollment, lessons[1], answers=RIGHT, actor=trainee)
    assert not completion_rule_holds(enrollment)  # passed, not yet ticked
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complete_lesson(enrollment, lessons[1], actor=trainee)

    _assert_completed_once(enrollment, received)


def test_a_passed_quiz_takes_no_more_attempts_even_after_completion(
    almost_done, lessons, received, django_capture_on_commit_callbacks
):
    trainee = almost_done.trainee
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_lesson(almost_done, lessons[1], actor=trainee)
    with pytest.raises(ValidationError) as caught:
        services.submit_quiz(almost_done, lessons[1], answers=RIGHT, actor=trainee)

    assert caught.value.messages == ["您已通过本测验，无需再作答。"]
    _assert_completed_once(almost_done, received)


def test_studying_records_progress_and_where_to_resume(enrollment, lessons):
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)

    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == lessons[0].pk
    assert list(
        LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_id", flat=True
        )
    ) == [lessons[0].pk]


def test_an_optional_lesson_studied_after_completion_still_counts_as_progress(
    course, trainee
):
    required = LessonPageFactory(parent=course, title="必修课")
    optional = LessonPageFactory(parent=course, title="拓展阅读", is_required=False)
    enrollment = services.enroll_trainee(
        TrainingClassFactory(course=course), trainee=trainee, actor=trainee
    )
    assert services.complete_lesson(enrollment, required, actor=trainee)

    assert not services.complete_lesson(enrollment, optional, actor=trainee)

    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2
    assert _completion_events(enrollment).count() == 1


@pytest.mark.parametrize("status", [Status.PENDING, Status.WITHDRAWN, Status.REJECTED])
def test_only_an_admitted_enrolment_can_study(
    course, trainee, school_admin, lessons, status
):
    training_class = TrainingClassFactory(course=course, requires_approval=True)
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    if status == Status.WITHDRAWN:
        services.withdraw_enrollment(enrollment, actor=trainee)
    elif status == Status.REJECTED:
        services.reject_enrollment(enrollment, actor=school_admin)

    with pytest.raises(ValidationError) as caught:
        services.complete_lesson(enrollment, lessons[0], actor=trainee)

    assert caught.value.messages == ["报名审核通过后才能学习。"]
    assert not LessonProgress.objects.exists()


def test_a_lesson_of_another_course_is_refused(enrollment, course_index):
    other = CoursePageFactory(parent=course_index, title="应急处置")
    foreign = LessonPageFactory(parent=other)

    with pytest.raises(ValidationError) as caught:
        services.complete_lesson(enrollment, foreign, actor=enrollment.trainee)

    assert caught.value.messages == ["该课时不属于此课程。"]


# The completion rule ---------------------------------------------------------


def test_optional_lessons_do_not_block_completion(
    course, trainee, received, django_capture_on_commit_callbacks
):
    required = LessonPageFactory(parent=course, title="必修课")
    LessonPageFactory(parent=course, title="拓展阅读", is_required=False)
    LessonPageFactory(
        parent=course, title="拓展测验", is_required=False, body=quiz_body()
    )
    enrollment = services.enroll_trainee(
        TrainingClassFactory(course=course), trainee=trainee, actor=trainee
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.complete_lesson(enrollment, required, actor=trainee)

    _assert_completed_once(enrollment, received)


def test_an_attendance_threshold_holds_completion_back(
    course, enrollment, lessons, received, django_capture_on_commit_callbacks
):
    course.attendance_threshold = 80
    course.save()
    trainee = enrollment.trainee

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_quiz(enrollment, lessons[1], answers=RIGHT, actor=trainee)
        for lesson in lessons:
            assert not services.complete_lesson(enrollment, lesson, actor=trainee)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.ACTIVE
    assert not completion_rule_holds(enrollment)
    assert received == []


def test_editing_and_republishing_the_course_keeps_progress(
    course, almost_done, lessons, received, django_capture_on_commit_callbacks
):
    for page in (lessons[0], lessons[1], course):
        page = page.specific_class.objects.get(pk=page.pk)
        page.title = f"{page.title}（修订）"
        page.save_revision().publish()
    lessons[1].refresh_from_db()
    assert lessons[1].title.endswith("（修订）") and lessons[1].quiz is not None
    assert LessonProgress.objects.filter(enrollment=almost_done).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert services.complete_lesson(
            almost_done, lessons[1], actor=almost_done.trainee
        )

    _assert_completed_once(almost_done, received)


def test_a_new_required_lesson_must_be_studied_too(course, almost_done, lessons):
    added = LessonPageFactory(parent=course, title="第三课 新增")

    assert not services.complete_lesson(
        almost_done, lessons[1], actor=almost_done.trainee
    )
    assert services.complete_lesson(almost_done, added, actor=almost_done.trainee)


# Races -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_last_lesson_completed_from_several_tabs_at_once_completes_once(
    almost_done, lessons, received
):
    outcomes = run_concurrently(
        services.complete_lesson,
        6,
        almost_done,
        lessons[1],
        actor=almost_done.trainee,
    )

    assert sorted(outcomes, key=repr) == [False] * 5 + [True], outcomes
    _assert_completed_once(almost_done, received)
    assert LessonProgress.objects.filter(enrollment=almost_done).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_passing_attempts_landing_together_record_one_pass(enrollment, lessons):
    trainee = enrollment.trainee
    services.complete_lesson(enrollment, lessons[0], actor=trainee)

    outcomes = run_concurrently(
        services.submit_quiz, 2, enrollment, lessons[1], answers=RIGHT, actor=trainee
    )

    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refusals) == 1, outcomes
    assert refusals[0].messages == ["您已通过本测验，无需再作答。"]
    assert enrollment.quiz_attempts.filter(passed=True).count() == 1


def test_study_records_read_the_same_for_one_enrolment_a_trainee_or_a_class(
    enrollment, lessons, training_class, grid
):
    first, second = lessons
    services.complete_lesson(enrollment, first, actor=enrollment.trainee)
    services.submit_quiz(
        enrollment, second, answers={"q0": [1], "q1": [1]}, actor=enrollment.trainee
    )
    services.submit_quiz(enrollment, second, answers=RIGHT, actor=enrollment.trainee)
    other = UserFactory(org_unit=grid, role=roles.TRAINEE)
    untouched = services.enroll_trainee(training_class, trainee=other, actor=other)

    one = study_records(enrollment=enrollment, with_attempts=True)[enrollment.pk]
    mine = study_records(trainee=enrollment.trainee)[enrollment.pk]
    of_class = study_records(training_class=training_class)

    assert one.studied == mine.studied == of_class[enrollment.pk].studied == {first.pk}
    assert one.passed == mine.passed == of_class[enrollment.pk].passed == {second.pk}
    assert [(a.number, a.passed) for a in one.attempts] == [(1, False), (2, True)]
    assert of_class[untouched.pk] == NOTHING_STUDIED
