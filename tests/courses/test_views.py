"""The trainee's side of courses through the client: course page, enrolment,
withdrawal, lessons and quizzes, once per role — the trainee allowed, a visitor sent
to log in, another trainee refused with 404."""

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import services
from courses.models import CoursePage, Enrollment, LessonProgress, QuizAttempt
from school.models import Level
from tests.courses.factories import CoursePageFactory, TrainingClassFactory

pytestmark = pytest.mark.django_db

COURSE_URL = "/courses/gong-yi/"
FIRST_LESSON_URL = "/courses/gong-yi/l1/"
QUIZ_LESSON_URL = "/courses/gong-yi/l2/"
RIGHT_ANSWERS = {"q0": ["0"], "q1": ["0", "2"]}
WRONG_ANSWERS = {"q0": ["1"], "q1": ["0"]}


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def enrollment(trainee, training_class, lessons):
    return services.enroll_trainee(training_class, trainee=trainee, actor=trainee)


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


def snapshot() -> dict:
    """Everything the learning views could change, as plain values."""
    return {
        "enrollments": sorted(
            Enrollment.objects.values_list("pk", "trainee", "training_class", "status")
        ),
        "progress": sorted(LessonProgress.objects.values_list("enrollment", "lesson")),
        "attempts": sorted(QuizAttempt.objects.values_list("enrollment", "number")),
    }


# The course page.


def test_the_course_page_offers_an_open_class_to_a_trainee(
    trainee_client, training_class, lessons
):
    response = trainee_client.get(COURSE_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("courses:enrol", args=[training_class.pk]) in content
    assert "第一课 志愿服务是什么" in content and "第二课 服务礼仪" in content
    assert "我的报名" not in content
    assert '<a href="/courses/">课程目录</a>' in content


def test_the_course_page_tells_a_visitor_to_log_in(client, training_class, lessons):
    content = client.get(COURSE_URL).content.decode()
    assert "登录后报名" in content
    assert reverse("courses:enrol", args=[training_class.pk]) not in content


def test_the_course_page_says_why_a_trainee_may_not_enrol(
    trainee_client, course, course_index, training_class
):
    course.minimum_level = Level.VOLUNTEER
    course.save_revision().publish()
    content = trainee_client.get(COURSE_URL).content.decode()
    assert "需达到「志愿者」等级" in content
    assert reverse("courses:enrol", args=[training_class.pk]) not in content


def test_the_course_page_shows_the_trainees_own_enrolment_and_progress(
    trainee_client, enrollment, lessons
):
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)
    content = trainee_client.get(COURSE_URL).content.decode()
    assert "我的报名" in content and "学习中" in content
    assert 'aria-valuenow="50"' in content  # 1 of 2 lessons; quizzes are no steps
    assert "继续学习：第二课 服务礼仪" in content
    assert reverse("courses:withdraw", args=[enrollment.pk]) in content


# Enrolling.


def test_a_trainee_enrols_by_post(trainee_client, trainee, training_class):
    response = trainee_client.post(
        reverse("courses:enrol", args=[training_class.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == COURSE_URL
    assert "报名成功，现在就可以开始学习了。" in texts(response)
    assert Enrollment.objects.get(trainee=trainee).status == Enrollment.Status.ACTIVE


def test_a_class_that_needs_approval_takes_a_request(
    trainee_client, trainee, training_class
):
    training_class.requires_approval = True
    training_class.save()
    response = trainee_client.post(
        reverse("courses:enrol", args=[training_class.pk]), follow=True
    )
    assert "报名申请已提交，请等待管理员审核。" in texts(response)
    assert Enrollment.objects.get(trainee=trainee).status == Enrollment.Status.PENDING


def test_a_refused_enrolment_shows_the_reason_and_changes_nothing(
    trainee_client, course, training_class
):
    training_class.seats_taken = training_class.capacity
    training_class.save()
    before = snapshot()
    response = trainee_client.post(
        reverse("courses:enrol", args=[training_class.pk]), follow=True
    )
    assert texts(response) == ["报名未成功：名额已满"]
    assert snapshot() == before


def test_enrolling_by_get_is_not_allowed_and_changes_nothing(
    trainee_client, training_class
):
    response = trainee_client.get(reverse("courses:enrol", args=[training_class.pk]))
    assert response.status_code == 405
    assert not Enrollment.objects.exists()


def test_enrolling_without_the_csrf_token_is_refused(trainee, training_class):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.post(reverse("courses:enrol", args=[training_class.pk]))
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_a_visitor_who_enrols_is_sent_to_log_in_first(client, training_class):
    response = client.post(reverse("courses:enrol", args=[training_class.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/courses/gong-yi/" in response["Location"]
    assert not Enrollment.objects.exists()


def test_enrolling_in_a_class_that_does_not_exist_is_404(trainee_client):
    assert trainee_client.post(reverse("courses:enrol", args=[999])).status_code == 404


# Withdrawing.


def test_a_trainee_withdraws_from_their_own_class(
    trainee_client, enrollment, training_class
):
    response = trainee_client.post(
        reverse("courses:withdraw", args=[enrollment.pk]),
        {"next": COURSE_URL},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == COURSE_URL
    enrollment.refresh_from_db()
    training_class.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert training_class.seats_taken == 0
    assert any(text.startswith("已退出") for text in texts(response))


def test_withdrawing_ignores_a_next_address_on_another_site(trainee_client, enrollment):
    response = trainee_client.post(
        reverse("courses:withdraw", args=[enrollment.pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("courses:dashboard")


def test_another_trainee_cannot_withdraw_someone_elses_enrolment(
    client, other_trainee, enrollment
):
    client.force_login(other_trainee)
    before = snapshot()
    response = client.post(reverse("courses:withdraw", args=[enrollment.pk]))
    assert response.status_code == 404
    assert snapshot() == before


def test_withdrawing_asks_for_confirmation_says_what_is_lost_and_changes_nothing(
    trainee_client, enrollment, lessons
):
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)
    services.submit_quiz(
        enrollment, lessons[1], answers={"q0": [1], "q1": [0]}, actor=enrollment.trainee
    )
    before = snapshot()
    url = reverse("courses:withdraw", args=[enrollment.pk])
    response = trainee_client.get(f"{url}?next={COURSE_URL}")
    content = response.content.decode()
    assert response.status_code == 200
    assert "确认退出培训班" in content
    assert "名额将释放给其他学员" in content
    assert "已完成 50%" in content and "会保留在记录中" in content
    assert "您已作答测验 1 次" in content
    assert "须在报名截止" in content  # no approval needed to rejoin
    assert f'<form method="post" action="{url}"' in content
    assert "csrfmiddlewaretoken" in content
    assert "确认退出" in content and f'href="{COURSE_URL}">返回</a>' in content
    assert snapshot() == before


def test_the_withdrawal_confirmation_says_rejoining_needs_approval_again(
    trainee_client, trainee, training_class
):
    training_class.requires_approval = True
    training_class.save()
    pending = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    content = trainee_client.get(
        reverse("courses:withdraw", args=[pending.pk])
    ).content.decode()
    assert "报名申请将撤回" in content
    assert "再次经管理员审核" in content


def test_the_withdrawal_confirmation_ignores_a_back_address_on_another_site(
    trainee_client, enrollment
):
    url = reverse("courses:withdraw", args=[enrollment.pk])
    content = trainee_client.get(
        f"{url}?next=https://evil.example.com/"
    ).content.decode()
    assert '"https://evil.example.com/"' not in content  # neither link nor next
    assert f'href="{COURSE_URL}">返回</a>' in content


def test_another_trainee_gets_404_for_the_withdrawal_confirmation(
    client, other_trainee, enrollment
):
    client.force_login(other_trainee)
    response = client.get(reverse("courses:withdraw", args=[enrollment.pk]))
    assert response.status_code == 404


def test_an_ended_enrolment_has_no_withdrawal_confirmation(trainee_client, enrollment):
    services.withdraw_enrollment(enrollment, actor=enrollment.trainee)
    response = trainee_client.get(
        reverse("courses:withdraw", args=[enrollment.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("courses:dashboard")
    assert "已结业或已退出的报名不能再退出。" in texts(response)


def test_withdrawing_without_the_csrf_token_is_refused(trainee, enrollment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.post(reverse("courses:withdraw", args=[enrollment.pk]))
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_the_course_page_leads_to_the_withdrawal_confirmation_not_a_post(
    trainee_client, enrollment
):
    content = trainee_client.get(COURSE_URL).content.decode()
    url = reverse("courses:withdraw", args=[enrollment.pk])
    assert f'href="{url}?next=' in content
    assert f'action="{url}"' not in content


def test_a_visitor_who_withdraws_is_sent_to_log_in(client, enrollment):
    response = client.post(reverse("courses:withdraw", args=[enrollment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


# Lessons.


def test_a_visitor_is_sent_to_log_in_before_a_lesson(client, lessons):
    response = client.get(FIRST_LESSON_URL)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('accounts:login')}?next={FIRST_LESSON_URL}"
    )


def test_someone_not_enrolled_is_told_to_enrol_and_sees_no_lesson_or_quiz(
    client, other_trainee, enrollment, lessons
):
    client.force_login(other_trainee)
    response = client.get(QUIZ_LESSON_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "报名该课程的培训班后即可学习" in content
    assert "服务礼仪的要点" not in content  # the body
    assert "志愿服务的基本原则包括" not in content  # the quiz
    assert "标记为已学完" not in content


def test_a_pending_request_does_not_open_the_lessons(trainee_client, trainee, lessons):
    pending = TrainingClassFactory(course=lessons[0].get_parent().specific)
    pending.requires_approval = True
    pending.save()
    services.enroll_trainee(pending, trainee=trainee, actor=trainee)
    content = trainee_client.get(FIRST_LESSON_URL).content.decode()
    assert "审核通过后即可学习本课时" in content
    assert "本课介绍志愿服务的基本理念" not in content


def test_a_lesson_of_a_class_not_yet_started_is_locked_and_says_when_it_starts(
    trainee_client, enrollment, lessons
):
    training_class = enrollment.training_class
    training_class.starts_on = timezone.localdate() + timedelta(days=3)
    training_class.save()
    starts = training_class.starts_on
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert (
        f"本班 {starts.year}年{starts.month}月{starts.day}日 开课，届时即可开始学习"
        in content
    )
    assert "服务礼仪的要点" not in content  # the body
    assert "志愿服务的基本原则包括" not in content  # the quiz
    assert "标记为已学完" not in content
    before = snapshot()
    trainee_client.post(reverse("courses:complete_lesson", args=[lessons[0].pk]))
    trainee_client.post(
        reverse("courses:submit_quiz", args=[lessons[1].pk]), RIGHT_ANSWERS
    )
    assert snapshot() == before


def test_the_course_page_and_my_learning_say_when_a_class_starts(
    trainee_client, enrollment
):
    training_class = enrollment.training_class
    training_class.starts_on = timezone.localdate() + timedelta(days=3)
    training_class.save()
    starts = training_class.starts_on
    notice = f"本班 {starts.year}年{starts.month}月{starts.day}日 开课"
    course_page = trainee_client.get(COURSE_URL).content.decode()
    assert notice in course_page and "开始学习：" not in course_page
    dashboard = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert notice in dashboard and "开始学习：" not in dashboard


def test_a_course_that_needs_attendance_says_so_beside_its_progress(
    trainee_client, enrollment, lessons
):
    course = CoursePage.objects.get(pk=lessons[0].get_parent().pk)
    course.attendance_threshold = 80
    course.save_revision().publish()
    for lesson in lessons:
        if lesson.quiz is not None:
            services.submit_quiz(
                enrollment,
                lesson,
                answers={"q0": [0], "q1": [0, 2]},
                actor=enrollment.trainee,
            )
        services.complete_lesson(enrollment, lesson, actor=enrollment.trainee)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE  # attendance is missing
    note = "还需出勤率 80%，出勤记录将在实践教学后计入"
    for url in (COURSE_URL, FIRST_LESSON_URL, reverse("courses:dashboard")):
        content = trainee_client.get(url).content.decode()
        assert 'aria-valuenow="100"' in content, url
        assert note in content, url


def test_a_course_without_attendance_shows_no_attendance_note(
    trainee_client, enrollment
):
    for url in (COURSE_URL, FIRST_LESSON_URL, reverse("courses:dashboard")):
        assert "还需出勤率" not in trainee_client.get(url).content.decode()


def test_an_enrolled_trainee_sees_the_lesson_progress_and_navigation(
    trainee_client, enrollment, lessons
):
    response = trainee_client.get(FIRST_LESSON_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "本课介绍志愿服务的基本理念" in content
    assert 'role="progressbar"' in content and 'aria-valuenow="0"' in content
    assert reverse("courses:complete_lesson", args=[lessons[0].pk]) in content
    assert "标记为已学完" in content
    assert f'href="{QUIZ_LESSON_URL}"' in content  # next lesson


def test_a_lesson_page_is_not_changed_by_post(trainee_client, enrollment, lessons):
    assert trainee_client.post(FIRST_LESSON_URL).status_code == 405
    assert not LessonProgress.objects.exists()


def test_marking_a_lesson_done_records_it_and_moves_on(
    trainee_client, enrollment, lessons
):
    response = trainee_client.post(
        reverse("courses:complete_lesson", args=[lessons[0].pk])
    )
    assert response["Location"] == QUIZ_LESSON_URL
    assert LessonProgress.objects.filter(
        enrollment=enrollment, lesson=lessons[0]
    ).exists()
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == lessons[0].pk
    content = trainee_client.get(FIRST_LESSON_URL).content.decode()
    assert "已学完" in content and "标记为已学完" not in content


def test_ticking_a_quiz_lesson_before_passing_is_refused_and_leads_to_its_quiz(
    trainee_client, enrollment, lessons
):
    response = trainee_client.post(
        reverse("courses:complete_lesson", args=[lessons[1].pk]), follow=True
    )
    assert response.redirect_chain[0][0] == f"{QUIZ_LESSON_URL}#quiz"
    assert texts(response) == ["请先通过本课时的测验，再标记为已学完。"]
    assert not LessonProgress.objects.exists()
    content = response.content.decode()
    assert "通过本课时的测验后，才能标记为已学完。" in content
    assert reverse("courses:complete_lesson", args=[lessons[1].pk]) not in content


def test_marking_a_lesson_done_by_get_changes_nothing(
    trainee_client, enrollment, lessons
):
    url = reverse("courses:complete_lesson", args=[lessons[0].pk])
    assert trainee_client.get(url).status_code == 405
    assert not LessonProgress.objects.exists()


def test_someone_not_enrolled_cannot_mark_a_lesson_done(
    client, other_trainee, enrollment, lessons
):
    client.force_login(other_trainee)
    url = reverse("courses:complete_lesson", args=[lessons[0].pk])
    assert client.post(url).status_code == 404
    assert not LessonProgress.objects.exists()


def test_a_visitor_marking_a_lesson_done_is_sent_to_log_in(client, lessons):
    url = reverse("courses:complete_lesson", args=[lessons[0].pk])
    response = client.post(url)
    assert response["Location"].startswith(reverse("accounts:login"))


# Quizzes.


def test_the_quiz_form_never_contains_the_answers(trainee_client, enrollment, lessons):
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert "志愿服务的基本原则包括？" in content
    assert content.count('type="radio" name="q0"') == 2
    assert content.count('type="checkbox" name="q1"') == 3
    assert "<fieldset" in content and "<legend>" in content
    assert "is_correct" not in content
    assert "correct" not in content.lower()
    # Each choice carries its index and nothing else.
    values = re.findall(r'name="q\d" value="([^"]*)"', content)
    assert values == ["0", "1", "0", "1", "2"]


def test_the_quiz_block_template_renders_no_answers(lessons):
    quiz_block = next(block for block in lessons[1].body if block.block_type == "quiz")
    html = quiz_block.render()
    assert "志愿服务的基本原则包括？" in html
    assert "correct" not in html.lower() and "True" not in html


def test_a_right_answer_passes_closes_the_quiz_and_lets_the_lesson_be_ticked(
    trainee_client, enrollment, lessons
):
    services.complete_lesson(enrollment, lessons[0], actor=enrollment.trainee)
    submit_url = reverse("courses:submit_quiz", args=[lessons[1].pk])
    response = trainee_client.post(submit_url, RIGHT_ANSWERS, follow=True)
    assert response.redirect_chain[0][0] == f"{QUIZ_LESSON_URL}?attempt=1#quiz-result"
    assert texts(response) == []  # the result is by the quiz, not in a banner
    content = response.content.decode()
    result = re.search(r'<div id="quiz-result"[^>]*>(.*?)</div>', content, re.S)
    assert 'class="message message--success" role="alert"' in result.group(0)
    assert "autofocus" in result.group(0)
    assert "第 1 次作答：100 分，已通过。" in result.group(1)
    assert "最高分：100 分" in content
    assert "您已通过本测验，测验已关闭。" in content
    assert submit_url not in content and 'name="q0"' not in content  # no form

    response = trainee_client.post(
        reverse("courses:complete_lesson", args=[lessons[1].pk]), follow=True
    )
    assert texts(response) == ["恭喜！您已完成《公益理念》的全部学习要求，已结业。"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_a_failed_attempt_is_shown_as_failed_by_the_quiz_with_feedback(
    trainee_client, enrollment, lessons
):
    response = trainee_client.post(
        reverse("courses:submit_quiz", args=[lessons[1].pk]),
        {"q0": ["0"], "q1": ["0"]},
        follow=True,
    )
    assert texts(response) == []  # no green banner
    content = response.content.decode()
    result = re.search(r'<div id="quiz-result"[^>]*>(.*?)</div>', content, re.S)
    assert 'class="message message--error" role="alert"' in result.group(0)
    assert "第 1 次作答：50 分，未通过（及格分 60 分）。" in result.group(1)
    assert "还有 1 次作答机会" in result.group(1)
    # Right or wrong per question (the quiz's default), never the right choices.
    feedback = re.search(r'<div class="quiz__feedback">(.*?)</div>', content, re.S)
    marks = re.findall(r"result--(passed|failed)\">(答对|答错)<", feedback.group(1))
    assert marks == [("passed", "答对"), ("failed", "答错")]
    assert "correct" not in content.lower()
    assert 'name="q0"' in content  # the form stays for the next attempt
    # A later visit still shows the last attempt's feedback, not the alert.
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert 'id="quiz-result"' not in content and "答错" in content


@pytest.mark.parametrize(
    ("feedback", "shown", "hidden"),
    [
        pytest.param("none", [], ["答对", "答错", "耐心倾听是基本功"], id="none"),
        pytest.param(
            "correctness", ["答对", "答错"], ["耐心倾听是基本功"], id="right or wrong"
        ),
        pytest.param(
            "explained", ["答对", "答错", "解析：耐心倾听是基本功"], [], id="explained"
        ),
    ],
)
def test_per_question_feedback_is_what_the_author_chose(
    trainee_client, enrollment, lessons, feedback, shown, hidden
):
    lesson = lessons[1]
    body = lesson.body.raw_data
    for block in body:
        if block["type"] == "quiz":
            block["value"]["feedback"] = feedback
            block["value"]["questions"][1]["explanation"] = "耐心倾听是基本功"
    lesson.body = body
    lesson.save_revision().publish()

    trainee_client.post(
        reverse("courses:submit_quiz", args=[lesson.pk]), {"q0": ["0"], "q1": ["0"]}
    )
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    for text in shown:
        assert text in content
    for text in hidden:
        assert text not in content


def test_an_unanswered_question_is_shown_on_the_form_and_uses_no_attempt(
    trainee_client, enrollment, lessons
):
    response = trainee_client.post(
        reverse("courses:submit_quiz", args=[lessons[1].pk]), {"q0": ["0"]}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "请作答此题。" in content
    assert 'value="0" checked' in content or "checked" in content
    assert not QuizAttempt.objects.exists()


def test_the_attempt_limit_is_shown_and_enforced(trainee_client, enrollment, lessons):
    url = reverse("courses:submit_quiz", args=[lessons[1].pk])
    trainee_client.post(url, WRONG_ANSWERS)
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert "已用 1 次，还剩 1 次" in content
    assert "最高分：0 分" in content and "未通过" in content

    trainee_client.post(url, WRONG_ANSWERS)
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert "已用 2 次，还剩 0 次" in content
    assert "您已用完全部作答机会，尚未通过本测验。" in content
    assert "请联系学校管理员" in content  # whom to ask (the class has no instructor)
    assert url not in content  # no form left

    response = trainee_client.post(url, RIGHT_ANSWERS, follow=True)
    assert texts(response) == ["已用完全部 2 次作答机会。"]
    assert QuizAttempt.objects.count() == 2


def test_used_up_attempts_name_the_class_instructors_and_a_grant_reopens_the_form(
    trainee_client, enrollment, lessons, instructor
):
    enrollment.training_class.instructors.add(instructor)
    url = reverse("courses:submit_quiz", args=[lessons[1].pk])
    trainee_client.post(url, WRONG_ANSWERS)
    trainee_client.post(url, WRONG_ANSWERS)
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert "请联系本班讲师 李讲师 或学校管理员" in content
    assert url not in content

    services.grant_extra_attempts(
        enrollment, lessons[1], extra=1, actor=instructor, reason="补考"
    )
    content = trainee_client.get(QUIZ_LESSON_URL).content.decode()
    assert "共可作答 3 次，已用 2 次，还剩 1 次" in content
    assert url in content and "请联系本班讲师" not in content


def test_submitting_a_quiz_by_get_changes_nothing(trainee_client, enrollment, lessons):
    url = reverse("courses:submit_quiz", args=[lessons[1].pk])
    assert trainee_client.get(url, RIGHT_ANSWERS).status_code == 405
    assert not QuizAttempt.objects.exists()


def test_someone_not_enrolled_cannot_submit_a_quiz(
    client, other_trainee, enrollment, lessons
):
    client.force_login(other_trainee)
    url = reverse("courses:submit_quiz", args=[lessons[1].pk])
    assert client.post(url, RIGHT_ANSWERS).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_a_lesson_without_a_quiz_has_no_quiz_url(trainee_client, enrollment, lessons):
    url = reverse("courses:submit_quiz", args=[lessons[0].pk])
    assert trainee_client.post(url, RIGHT_ANSWERS).status_code == 404


def test_a_trainee_sees_only_their_own_attempts_and_progress(
    client, trainee, other_trainee, enrollment, training_class, lessons
):
    theirs = services.enroll_trainee(
        training_class, trainee=other_trainee, actor=other_trainee
    )
    services.complete_lesson(theirs, lessons[0], actor=other_trainee)
    services.submit_quiz(
        theirs, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=other_trainee
    )
    client.force_login(trainee)
    content = client.get(QUIZ_LESSON_URL).content.decode()
    assert "已用 0 次，还剩 2 次" in content
    assert "最高分" not in content
    assert 'aria-valuenow="0"' in content
    # Their enrolment's URLs are not ours.
    assert client.post(reverse("courses:withdraw", args=[theirs.pk])).status_code == 404


def test_a_completed_trainee_still_reads_the_lessons(
    trainee_client, enrollment, lessons
):
    services.submit_quiz(
        enrollment,
        lessons[1],
        answers={"q0": [0], "q1": [0, 2]},
        actor=enrollment.trainee,
    )
    for lesson in lessons:
        services.complete_lesson(enrollment, lesson, actor=enrollment.trainee)
    content = trainee_client.get(FIRST_LESSON_URL).content.decode()
    assert "本课介绍志愿服务的基本理念" in content
    assert 'aria-valuenow="100"' in content
    assert "标记为已学完" not in content


def test_an_unpublished_lesson_is_404_for_its_actions(
    trainee_client, enrollment, lessons
):
    lessons[0].unpublish()
    url = reverse("courses:complete_lesson", args=[lessons[0].pk])
    assert trainee_client.post(url).status_code == 404


@pytest.mark.parametrize(
    "url", [FIRST_LESSON_URL, QUIZ_LESSON_URL], ids=["lesson", "lesson-with-quiz"]
)
def test_a_lesson_page_costs_at_most_15_queries(
    trainee_client, enrollment, lessons, url
):
    # Most are the floor of any page this deep: site, routing, view restrictions,
    # session, user and the header's schools. The lesson's own: enrolment, study
    # record (its siblings come with the routing).
    trainee_client.get(url)  # warm Wagtail's site cache
    with CaptureQueriesContext(connection) as queries:
        response = trainee_client.get(url)
    assert response.status_code == 200
    assert len(queries) <= 15, "\n".join(q["sql"][:200] for q in queries)


def test_a_course_that_is_not_open_says_when_it_opens(trainee_client, course):
    TrainingClassFactory(
        course=course,
        enrol_opens_at=timezone.now() + timedelta(days=2),
        enrol_closes_at=timezone.now() + timedelta(days=9),
    )
    content = trainee_client.get(COURSE_URL).content.decode()
    assert "报名尚未开始" in content


def test_a_course_with_a_missing_prerequisite_names_it(
    trainee_client, course_index, training_class
):
    advanced = CoursePageFactory(parent=course_index, title="活动策划", slug="huo-dong")
    advanced.prerequisites.add(training_class.course)
    advanced.save_revision().publish()
    TrainingClassFactory(course=advanced)
    content = trainee_client.get("/courses/huo-dong/").content.decode()
    assert "需先完成先修课程：《公益理念》" in content


# The admin's preview renders the pages as authored, with no trainee and no answers.


def test_previews_render_for_saved_and_new_pages(
    course_index, course, lessons, training_class
):
    for page in (course_index, course, *lessons):
        assert page.make_preview_request().status_code == 200
    new_course = CoursePage(title="新课程", slug="new", tier="basic", summary="简介")
    new_course.depth, new_course.path = course.depth, course_index.path + "9999"
    assert new_course.make_preview_request().status_code == 200


def test_a_lesson_preview_shows_the_quiz_without_its_answers(lessons):
    content = lessons[1].make_preview_request().content.decode()
    assert "服务居民时应当做到？" in content and "尊重隐私" in content
    assert "correct" not in content.lower()


def test_my_learning_leads_a_current_class_to_the_withdrawal_confirmation(
    trainee_client, enrollment
):
    url = reverse("courses:withdraw", args=[enrollment.pk])
    content = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert f'href="{url}?next=/learning/">退出该班' in content
    services.withdraw_enrollment(enrollment, actor=enrollment.trainee)
    content = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert url not in content
