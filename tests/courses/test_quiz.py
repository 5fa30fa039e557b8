"""Quizzes: scoring, answer validation, the attempt limit and the best score.

The quiz of the `lessons` fixture: q0 single choice (answer 0), q1 multiple choice
(answers 0 and 2); pass mark 60, two attempts. Each question is half the score.
"""

from django.core.exceptions import ValidationError

import pytest

from courses import services
from courses.models import Enrollment, QuizAttempt, QuizAttemptGrant
from tests.concurrency import run_concurrently
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)

pytestmark = pytest.mark.django_db

RIGHT = {"q0": [0], "q1": [0, 2]}
WRONG = {"q0": [1], "q1": [1]}


@pytest.fixture
def enrollment(trainee, training_class, lessons):
    return services.enroll_trainee(training_class, trainee=trainee, actor=trainee)


@pytest.fixture
def quiz_lesson(lessons):
    return lessons[1]


def _submit(enrollment, lesson, answers):
    return services.submit_quiz(
        enrollment, lesson, answers=answers, actor=enrollment.trainee
    )


def _refusal(enrollment, lesson, answers) -> str:
    with pytest.raises(ValidationError) as caught:
        _submit(enrollment, lesson, answers)
    [message] = caught.value.messages
    return message


# Scoring -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        pytest.param({"q0": [0], "q1": [0, 2]}, 100, id="all right"),
        pytest.param({"q0": [0], "q1": [2, 0]}, 100, id="order does not matter"),
        pytest.param({"q0": [0], "q1": [0]}, 50, id="half the right choices"),
        pytest.param({"q0": [0], "q1": [0, 1, 2]}, 50, id="right ones plus a wrong"),
        pytest.param({"q0": [1], "q1": [0, 2]}, 50, id="single choice wrong"),
        pytest.param({"q0": [1], "q1": [1]}, 0, id="all wrong"),
        pytest.param({}, 0, id="nothing answered"),
    ],
)
def test_a_question_scores_only_when_exactly_its_right_choices_are_chosen(
    quiz_lesson, answers, score
):
    assert services.score_quiz(quiz_lesson.quiz, answers) == score


def test_a_passing_attempt_is_scored_stored_and_numbered(enrollment, quiz_lesson):
    attempt = _submit(enrollment, quiz_lesson, {"q0": [0], "q1": [2, 0, 2]})

    assert (attempt.number, attempt.score, attempt.passed) == (1, 100, True)
    attempt.refresh_from_db()
    assert attempt.answers == {"q0": [0], "q1": [0, 2]}


def test_half_marks_fall_below_a_pass_mark_of_sixty(enrollment, quiz_lesson):
    attempt = _submit(enrollment, quiz_lesson, {"q0": [0], "q1": [0]})

    assert (attempt.score, attempt.passed) == (50, False)


def test_the_pass_mark_itself_passes(course, trainee):
    lesson = LessonPageFactory(parent=course, body=quiz_body(pass_mark=50))
    enrollment = services.enroll_trainee(
        TrainingClassFactory(course=course), trainee=trainee, actor=trainee
    )

    attempt = _submit(enrollment, lesson, {"q0": [0], "q1": [1]})

    assert (attempt.score, attempt.passed) == (50, True)


# Answer validation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param({"q0": [0]}, "第 2 题还没有作答。", id="unanswered"),
        pytest.param({"q0": [0], "q1": []}, "第 2 题还没有作答。", id="empty"),
        pytest.param({"q0": [2], "q1": [0]}, "第 1 题的选项无效。", id="past the end"),
        pytest.param({"q0": [0], "q1": [-1]}, "第 2 题的选项无效。", id="negative"),
        pytest.param(
            {"q0": ["x"], "q1": [0]}, "第 1 题的选项无效。", id="not a number"
        ),
        pytest.param({"q0": [None], "q1": [0]}, "第 1 题的选项无效。", id="none"),
        pytest.param({"q0": 0, "q1": [0]}, "第 1 题的选项无效。", id="not a list"),
        pytest.param(
            {"q0": [0, 1], "q1": [0]}, "第 1 题是单选题。", id="two on single"
        ),
    ],
)
def test_bad_answers_are_refused_in_chinese_and_use_no_attempt(
    enrollment, quiz_lesson, answers, message
):
    assert _refusal(enrollment, quiz_lesson, answers) == message

    assert not QuizAttempt.objects.exists()
    assert _submit(enrollment, quiz_lesson, WRONG).number == 1
    assert _submit(enrollment, quiz_lesson, RIGHT).number == 2


def test_choice_numbers_sent_as_form_strings_are_accepted(enrollment, quiz_lesson):
    attempt = _submit(enrollment, quiz_lesson, {"q0": ["0"], "q1": ["2", "0"]})

    assert (attempt.score, attempt.answers) == (100, RIGHT)


def test_a_lesson_without_a_quiz_takes_no_answers(enrollment, lessons):
    assert _refusal(enrollment, lessons[0], RIGHT) == "该课时没有测验。"


def test_a_quiz_of_another_course_is_refused(enrollment, course_index):
    other = CoursePageFactory(parent=course_index, title="应急处置")
    foreign = LessonPageFactory(parent=other, body=quiz_body())

    assert _refusal(enrollment, foreign, RIGHT) == "该课时不属于此课程。"
    assert not QuizAttempt.objects.exists()


def test_a_pending_request_cannot_take_the_quiz(course, trainee, lessons):
    training_class = TrainingClassFactory(course=course, requires_approval=True)
    request = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)

    assert _refusal(request, lessons[1], RIGHT) == "报名审核通过后才能作答。"


# Attempts and the best score -------------------------------------------------


def test_a_third_attempt_is_refused_when_two_are_allowed(enrollment, quiz_lesson):
    _submit(enrollment, quiz_lesson, WRONG)
    _submit(enrollment, quiz_lesson, WRONG)

    assert _refusal(enrollment, quiz_lesson, RIGHT) == "已用完全部 2 次作答机会。"
    assert QuizAttempt.objects.filter(enrollment=enrollment).count() == 2


def test_a_passed_quiz_is_closed_to_further_attempts(enrollment, lessons):
    assert _submit(enrollment, lessons[1], RIGHT).passed

    assert _refusal(enrollment, lessons[1], WRONG) == "您已通过本测验，无需再作答。"
    assert QuizAttempt.objects.filter(enrollment=enrollment).count() == 1


def test_failing_first_and_passing_second_lets_the_lesson_be_ticked(
    enrollment, lessons
):
    trainee = enrollment.trainee
    services.complete_lesson(enrollment, lessons[0], actor=trainee)
    _submit(enrollment, lessons[1], WRONG)
    with pytest.raises(ValidationError):
        services.complete_lesson(enrollment, lessons[1], actor=trainee)

    _submit(enrollment, lessons[1], RIGHT)

    assert services.complete_lesson(enrollment, lessons[1], actor=trainee)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_two_failed_attempts_leave_the_lesson_unticked_and_the_enrolment_open(
    enrollment, lessons
):
    trainee = enrollment.trainee
    services.complete_lesson(enrollment, lessons[0], actor=trainee)
    _submit(enrollment, lessons[1], WRONG)
    _submit(enrollment, lessons[1], {"q0": [0], "q1": [0]})

    with pytest.raises(ValidationError) as caught:
        services.complete_lesson(enrollment, lessons[1], actor=trainee)
    assert caught.value.messages == ["请先通过本课时的测验，再标记为已学完。"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


# Extra attempts granted by staff ----------------------------------------------


def test_no_attempt_is_granted_while_the_trainee_has_some_left(
    enrollment, quiz_lesson, instructor
):
    _submit(enrollment, quiz_lesson, WRONG)

    with pytest.raises(ValidationError) as caught:
        _grant(enrollment, quiz_lesson, instructor)

    assert caught.value.messages == ["该学员还有 1 次作答机会，用完后才能增加。"]


def _grant(enrollment, lesson, actor, *, extra=1, reason="第一次考试时网络中断"):
    return services.grant_extra_attempts(
        enrollment, lesson, extra=extra, actor=actor, reason=reason
    )


def test_a_granted_attempt_allows_exactly_one_more_submission(
    enrollment, quiz_lesson, instructor
):
    _submit(enrollment, quiz_lesson, WRONG)
    _submit(enrollment, quiz_lesson, WRONG)

    _grant(enrollment, quiz_lesson, instructor)

    assert _submit(enrollment, quiz_lesson, WRONG).number == 3
    assert _refusal(enrollment, quiz_lesson, RIGHT) == "已用完全部 3 次作答机会。"


def test_a_grant_records_who_granted_how_many_and_why(
    enrollment, quiz_lesson, school_admin
):
    _submit(enrollment, quiz_lesson, WRONG)
    _submit(enrollment, quiz_lesson, WRONG)

    grant = _grant(enrollment, quiz_lesson, school_admin, extra=2)

    grant.refresh_from_db()
    assert (grant.actor, grant.extra, grant.reason) == (
        school_admin,
        2,
        "第一次考试时网络中断",
    )
    assert grant.enrollment == enrollment and grant.lesson_id == quiz_lesson.pk
    assert grant.created_at is not None


@pytest.mark.parametrize(
    ("extra", "reason", "message"),
    [
        pytest.param(1, "  ", "请填写增加作答次数的原因。", id="no reason"),
        pytest.param(0, "补考", "每次可增加 1 至 10 次作答机会。", id="zero"),
        pytest.param(11, "补考", "每次可增加 1 至 10 次作答机会。", id="too many"),
    ],
)
def test_a_grant_needs_a_reason_and_a_sensible_number(
    enrollment, quiz_lesson, school_admin, extra, reason, message
):
    with pytest.raises(ValidationError) as caught:
        _grant(enrollment, quiz_lesson, school_admin, extra=extra, reason=reason)

    assert caught.value.messages == [message]
    assert not QuizAttemptGrant.objects.exists()


def test_no_grant_for_a_lesson_without_a_quiz_or_a_quiz_already_passed(
    enrollment, lessons, school_admin
):
    with pytest.raises(ValidationError):
        _grant(enrollment, lessons[0], school_admin)
    _submit(enrollment, lessons[1], RIGHT)
    with pytest.raises(ValidationError):
        _grant(enrollment, lessons[1], school_admin)

    assert not QuizAttemptGrant.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_attempts_racing_at_once_never_exceed_the_limit(enrollment, quiz_lesson):
    outcomes = run_concurrently(_submit, 6, enrollment, quiz_lesson, WRONG)

    attempts = [o for o in outcomes if isinstance(o, QuizAttempt)]
    refusals = [o for o in outcomes if not isinstance(o, QuizAttempt)]
    assert len(attempts) == 2, outcomes
    for error in refusals:
        assert isinstance(error, ValidationError), repr(error)
        assert error.messages == ["已用完全部 2 次作答机会。"]
    numbers = QuizAttempt.objects.filter(enrollment=enrollment).values_list(
        "number", flat=True
    )
    assert sorted(numbers) == [1, 2]
