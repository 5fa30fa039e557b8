"""我的学习: the trainee's classes, progress, next lesson and completed courses, in the
same number of queries for one enrolment or many."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from courses import services
from courses.models import Enrollment
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)

pytestmark = pytest.mark.django_db

DASHBOARD_URL = "/learning/"


def finish(enrollment, lessons) -> None:
    """Pass the second lesson's quiz, then tick both lessons (a lesson with a quiz
    is ticked only once its quiz is passed)."""
    services.submit_quiz(
        enrollment,
        lessons[1],
        answers={"q0": [0], "q1": [0, 2]},
        actor=enrollment.trainee,
    )
    for lesson in lessons:
        services.complete_lesson(enrollment, lesson, actor=enrollment.trainee)


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(DASHBOARD_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={DASHBOARD_URL}"


def test_the_header_links_to_my_learning_once_logged_in(client, trainee, grid_school):
    assert "我的学习" not in client.get("/").content.decode()
    client.force_login(trainee)
    assert f'href="{DASHBOARD_URL}"' in client.get("/").content.decode()


def test_an_empty_dashboard_points_to_the_catalogue(client, trainee, course_index):
    client.force_login(trainee)
    content = client.get(DASHBOARD_URL).content.decode()
    assert "您还没有正在学习的培训班" in content
    assert 'href="/courses/"' in content


def test_the_dashboard_shows_progress_and_the_next_lesson(
    client, trainee, training_class, lessons
):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.complete_lesson(enrollment, lessons[0], actor=trainee)
    client.force_login(trainee)
    response = client.get(DASHBOARD_URL)
    content = response.content.decode()
    assert "公益理念" in content and "学习中" in content
    assert 'aria-valuenow="50"' in content  # one lesson of two: lessons, not quizzes
    assert "继续学习：第二课 服务礼仪" in content
    assert f'href="{lessons[1].url}"' in content
    assert "还没有结业的课程" in content


def test_a_completed_course_shows_100_percent_and_its_date(
    client, trainee, training_class, lessons
):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    finish(enrollment, lessons)
    client.force_login(trainee)
    response = client.get(DASHBOARD_URL)
    [row] = response.context["completed"]
    assert row.progress.percent == 100
    content = response.content.decode()
    assert "已结业" in content and 'aria-valuenow="100"' in content
    assert "结业" in content and "继续学习" not in content


def test_pending_and_withdrawn_enrolments_are_shown_for_what_they_are(
    client, trainee, course, training_class
):
    withdrawn = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.withdraw_enrollment(withdrawn, actor=trainee)
    pending_class = TrainingClassFactory(course=course, requires_approval=True)
    services.enroll_trainee(pending_class, trainee=trainee, actor=trainee)
    client.force_login(trainee)
    response = client.get(DASHBOARD_URL)
    assert [row.status for row in response.context["current"]] == [
        Enrollment.Status.PENDING
    ]
    assert [row.status for row in response.context["ended"]] == [
        Enrollment.Status.WITHDRAWN
    ]
    content = response.content.decode()
    assert "报名申请正在审核中" in content and "已退出" in content


def test_a_trainee_sees_only_their_own_learning(
    client, trainee, other_trainee, training_class, lessons
):
    services.enroll_trainee(training_class, trainee=other_trainee, actor=other_trainee)
    client.force_login(trainee)
    response = client.get(DASHBOARD_URL)
    assert response.context["current"] == []
    assert "公益理念" not in response.content.decode().split("<main", 1)[1]


def _enrol_in_new_courses(trainee, course_index, count: int, start: int) -> None:
    for number in range(start, start + count):
        course = CoursePageFactory(
            parent=course_index, title=f"课程{number:03d}", slug=f"c{number}"
        )
        first = LessonPageFactory(parent=course, title="第一课", slug="l1")
        second = LessonPageFactory(
            parent=course, title="第二课", slug="l2", body=quiz_body()
        )
        enrollment = services.enroll_trainee(
            TrainingClassFactory(course=course), trainee=trainee, actor=trainee
        )
        if number % 3 == 1:
            services.complete_lesson(enrollment, first, actor=trainee)
        if number % 3 == 2:
            finish(enrollment, [first, second])


def _dashboard_queries(client) -> int:
    client.get(DASHBOARD_URL)  # warm-up: Wagtail's site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_1_and_10_enrolments(
    client, trainee, course_index
):
    client.force_login(trainee)
    _enrol_in_new_courses(trainee, course_index, 1, 0)
    one = _dashboard_queries(client)
    _enrol_in_new_courses(trainee, course_index, 9, 1)
    ten = _dashboard_queries(client)
    assert one == ten
    assert Enrollment.objects.filter(trainee=trainee).count() == 10
