"""课后评价: only attendees rate, once per session and per class, editable for 7
days; what a trainee may rate now; instructors read their figures without names;
administrators read satisfaction (share of 4–5) per class, course, instructor and
site."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import feedback as ratings
from courses.models import AttendanceRecord, Booking, Enrollment, Feedback
from school import roles
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status


def _attend(session, trainee, status=Status.PRESENT) -> AttendanceRecord:
    now = timezone.now()
    booking = Booking.objects.create(
        session=session,
        trainee=trainee,
        status=Booking.Status.CONFIRMED,
        confirmed_at=now,
    )
    return AttendanceRecord.objects.create(
        session_id=session.pk,
        booking=booking,
        trainee=trainee,
        status=status,
        credit=Decimal("1") if status == Status.PRESENT else Decimal("0"),
        method=AttendanceRecord.Method.ROSTER,
    )


def _past_session(training_class, *, days_ago=1, **kwargs):
    starts_at = timezone.now() - timedelta(days=days_ago)
    return ClassSessionFactory(
        training_class=training_class, starts_at=starts_at, **kwargs
    )


@pytest.fixture
def held_session(training_class, practice_site, instructor, trainee):
    """A session of the class held yesterday at the site; the trainee came."""
    session = _past_session(training_class, practice_site=practice_site)
    session.instructors.add(instructor)
    _attend(session, trainee)
    return session


@pytest.fixture
def ended_class(course, instructor):
    """A class that ended last week."""
    today = timezone.localdate()
    training_class = TrainingClassFactory(
        course=course,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=7),
    )
    training_class.instructors.add(instructor)
    return training_class


# --- who may rate --------------------------------------------------------------


def test_a_trainee_who_came_rates_a_held_session_once_and_can_change_it(
    held_session, trainee
):
    first = ratings.give_feedback(held_session, trainee=trainee, score=4, comment="好")
    again = ratings.give_feedback(
        held_session, trainee=trainee, score=5, comment=" 很好 "
    )

    assert again.pk == first.pk
    row = Feedback.objects.get()
    assert (row.score, row.comment) == (5, "很好")
    assert row.training_class_id == held_session.training_class_id
    assert row.session_id == held_session.pk


def test_a_late_arrival_may_rate_but_excused_and_absent_may_not(
    training_class, trainee, other_trainee
):
    late, excused, absent = (
        _past_session(training_class, days_ago=days) for days in (1, 2, 3)
    )
    _attend(late, trainee, Status.LATE)
    _attend(excused, trainee, Status.EXCUSED)
    _attend(absent, trainee, Status.ABSENT)

    ratings.give_feedback(late, trainee=trainee, score=3)
    for session in (excused, absent):
        with pytest.raises(ValidationError, match="只有出勤"):
            ratings.give_feedback(session, trainee=trainee, score=5)
    with pytest.raises(ValidationError, match="只有出勤"):
        ratings.give_feedback(late, trainee=other_trainee, score=5)
    assert Feedback.objects.count() == 1


def test_a_session_is_rated_only_after_it_ends_and_never_if_cancelled(
    training_class, trainee
):
    coming = ClassSessionFactory(training_class=training_class)
    _attend(coming, trainee)
    cancelled = _past_session(training_class, cancelled_at=timezone.now())
    _attend(cancelled, trainee)

    with pytest.raises(ValidationError, match="场次结束后才能评价"):
        ratings.give_feedback(coming, trainee=trainee, score=5)
    with pytest.raises(ValidationError, match="已取消"):
        ratings.give_feedback(cancelled, trainee=trainee, score=5)
    assert not Feedback.objects.exists()


def test_a_class_is_rated_by_who_attended_it_once_it_has_ended(
    ended_class, training_class, trainee, other_trainee
):
    _attend(_past_session(ended_class, days_ago=10), trainee)
    _attend(_past_session(training_class), trainee)  # a class still under way

    given = ratings.give_feedback(ended_class, trainee=trainee, score=5)

    assert given.session_id is None and given.training_class_id == ended_class.pk
    with pytest.raises(ValidationError, match="结业后才能评价"):
        ratings.give_feedback(training_class, trainee=trainee, score=5)
    with pytest.raises(ValidationError, match="只有参加过"):
        ratings.give_feedback(ended_class, trainee=other_trainee, score=5)


def test_a_trainee_who_completed_rates_the_class_before_it_ends(
    training_class, trainee
):
    Enrollment.objects.create(
        training_class=training_class,
        trainee=trainee,
        status=Enrollment.Status.COMPLETED,
        completed_at=timezone.now(),
    )

    ratings.give_feedback(training_class, trainee=trainee, score=4, comment="实用")

    assert Feedback.objects.get().session_id is None


def test_rating_a_session_and_its_class_are_two_separate_ratings(ended_class, trainee):
    session = _past_session(ended_class, days_ago=10)
    _attend(session, trainee)

    ratings.give_feedback(session, trainee=trainee, score=3)
    ratings.give_feedback(ended_class, trainee=trainee, score=5)
    ratings.give_feedback(ended_class, trainee=trainee, score=4)

    assert sorted(Feedback.objects.values_list("score", flat=True)) == [3, 4]


def test_a_rating_older_than_seven_days_can_no_longer_be_changed(held_session, trainee):
    given = ratings.give_feedback(held_session, trainee=trainee, score=2)
    Feedback.objects.filter(pk=given.pk).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )

    with pytest.raises(ValidationError) as refused:
        ratings.give_feedback(held_session, trainee=trainee, score=5)

    assert refused.value.messages == ["评价提交 7 天后不能再修改。"]
    assert Feedback.objects.get().score == 2


@pytest.mark.parametrize("score", [0, 6, "", None, "五"])
def test_a_score_outside_one_to_five_is_refused(held_session, trainee, score):
    with pytest.raises(ValidationError, match="请选择 1 到 5 分"):
        ratings.give_feedback(held_session, trainee=trainee, score=score)
    assert not Feedback.objects.exists()


# --- what a trainee may rate now -----------------------------------------------


def test_feedback_due_lists_attended_sessions_and_ended_classes_not_yet_rated(
    ended_class, held_session, trainee, other_trainee
):
    earlier = _past_session(ended_class, days_ago=10)
    _attend(earlier, trainee)
    missed = _past_session(ended_class, days_ago=12)
    _attend(missed, trainee, Status.ABSENT)

    due = ratings.feedback_due(trainee)

    assert [(item.kind, item.pk) for item in due] == [
        ("session", held_session.pk),
        ("session", earlier.pk),
        ("class", ended_class.pk),
    ]
    assert due[0].url == reverse("feedback:give_session", args=[held_session.pk])
    assert due[2].url == reverse("feedback:give_class", args=[ended_class.pk])
    assert ratings.feedback_due(other_trainee) == []

    ratings.give_feedback(earlier, trainee=trainee, score=5)
    ratings.give_feedback(ended_class, trainee=trainee, score=5)
    assert [item.pk for item in ratings.feedback_due(trainee)] == [held_session.pk]


def test_feedback_due_takes_the_same_queries_for_one_session_or_many(
    training_class, ended_class, trainee, django_assert_num_queries
):
    _attend(_past_session(ended_class, days_ago=10), trainee)
    with CaptureQueriesContext(connection) as one:
        assert len(ratings.feedback_due(trainee)) == 2

    for days in range(2, 8):
        _attend(_past_session(training_class, days_ago=days), trainee)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(ratings.feedback_due(trainee)) == 8


# --- the trainee's pages -------------------------------------------------------


def test_the_form_offers_labelled_scores_and_a_get_changes_nothing(
    client, held_session, trainee
):
    client.force_login(trainee)
    url = reverse("feedback:give_session", args=[held_session.pk])

    page = client.get(url).content.decode()

    for score in range(1, 6):
        assert f'type="radio" name="score" value="{score}"' in page
    assert "<legend>评分</legend>" in page
    assert "csrfmiddlewaretoken" in page
    assert not Feedback.objects.exists()


def test_posting_the_form_saves_the_rating_and_goes_back_to_my_learning(
    client, held_session, ended_class, trainee
):
    _attend(_past_session(ended_class, days_ago=10), trainee)
    client.force_login(trainee)

    response = client.post(
        reverse("feedback:give_session", args=[held_session.pk]),
        {"score": "5", "comment": "讲得很清楚"},
    )
    client.post(reverse("feedback:give_class", args=[ended_class.pk]), {"score": "4"})

    assert response.status_code == 302
    assert response.url == reverse("courses:dashboard")
    assert sorted(Feedback.objects.values_list("score", "comment")) == [
        (4, ""),
        (5, "讲得很清楚"),
    ]


def test_posting_without_a_score_shows_the_form_again_and_saves_nothing(
    client, held_session, trainee
):
    client.force_login(trainee)

    response = client.post(
        reverse("feedback:give_session", args=[held_session.pk]), {"comment": "x"}
    )

    assert response.status_code == 200
    assert "请选择 1 到 5 分。" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_rating_older_than_seven_days_is_shown_but_not_changed(
    client, held_session, trainee
):
    given = ratings.give_feedback(held_session, trainee=trainee, score=2, comment="慢")
    Feedback.objects.filter(pk=given.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    client.force_login(trainee)
    url = reverse("feedback:give_session", args=[held_session.pk])

    page = client.get(url).content.decode()
    client.post(url, {"score": "5"})

    assert "评价提交 7 天后不能再修改。" in page and 'type="radio"' not in page
    assert Feedback.objects.get().score == 2


def test_a_session_or_class_the_trainee_may_not_rate_is_a_404(
    client, held_session, ended_class, other_trainee, trainee
):
    client.force_login(other_trainee)
    session_url = reverse("feedback:give_session", args=[held_session.pk])
    class_url = reverse("feedback:give_class", args=[ended_class.pk])

    assert client.get(session_url).status_code == 404
    assert client.post(session_url, {"score": "5"}).status_code == 404
    assert client.get(class_url).status_code == 404
    assert client.post(class_url, {"score": "5"}).status_code == 404
    assert client.get(reverse("feedback:give_session", args=[999999])).status_code == (
        404
    )
    assert not Feedback.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, held_session):
    url = reverse("feedback:give_session", args=[held_session.pk])

    assert client.post(url, {"score": "5"}).status_code == 302
    assert not Feedback.objects.exists()


def test_the_due_list_links_each_item_to_its_form(held_session, trainee):
    from django.template.loader import render_to_string

    html = render_to_string(
        "courses/includes/feedback_due.html",
        {"items": ratings.feedback_due(trainee)},
    )

    assert reverse("feedback:give_session", args=[held_session.pk]) in html
    empty = render_to_string("courses/includes/feedback_due.html", {"items": []})
    assert not empty.strip()


# --- instructors ---------------------------------------------------------------


def test_an_instructor_sees_averages_and_comments_without_names_or_phones(
    client, held_session, ended_class, instructor, trainee, other_trainee
):
    _attend(held_session, other_trainee)
    _attend(_past_session(ended_class, days_ago=10), trainee)
    ratings.give_feedback(held_session, trainee=trainee, score=5, comment="生动实用")
    ratings.give_feedback(held_session, trainee=other_trainee, score=3, comment="偏快")
    ratings.give_feedback(ended_class, trainee=trainee, score=4, comment="收获很大")
    client.force_login(instructor)

    page = client.get(reverse("feedback:mine")).content.decode()

    assert "评价 2 条 · 平均 4.00 分 · 满意率 50.0%" in page
    assert "评价 1 条 · 平均 4.00 分 · 满意率 100.0%" in page
    for comment in ("生动实用", "偏快", "收获很大"):
        assert comment in page
    for person in (trainee, other_trainee):
        assert person.real_name not in page
        assert person.phone not in page
        assert person.phone[-4:] not in page


def test_an_instructor_does_not_see_ratings_of_what_others_teach(
    client, held_session, trainee
):
    ratings.give_feedback(held_session, trainee=trainee, score=5, comment="秘密")
    someone = UserFactory(role=roles.INSTRUCTOR)
    client.force_login(someone)

    page = client.get(reverse("feedback:mine")).content.decode()

    assert "秘密" not in page
    assert "还没有收到评价" in page


def test_an_instructors_figures_take_the_same_queries_for_few_or_many(
    training_class, instructor, django_assert_num_queries
):
    def rated_session(days_ago):
        session = _past_session(training_class, days_ago=days_ago)
        session.instructors.add(instructor)
        person = UserFactory(role=roles.TRAINEE)
        _attend(session, person)
        ratings.give_feedback(session, trainee=person, score=4, comment="好")

    rated_session(1)
    with CaptureQueriesContext(connection) as one:
        ratings.taught_feedback(instructor)
    for days in range(2, 6):
        rated_session(days)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(ratings.taught_feedback(instructor).sessions) == 5


# --- administrators ------------------------------------------------------------


@pytest.fixture
def five_ratings(training_class, practice_site, instructor):
    """Scores 5, 4, 3, 2, 5 on one session at the site, taught by the instructor."""
    session = _past_session(training_class, practice_site=practice_site)
    session.instructors.add(instructor)
    for score in (5, 4, 3, 2, 5):
        person = UserFactory(role=roles.TRAINEE)
        _attend(session, person)
        ratings.give_feedback(session, trainee=person, score=score)
    return session


def test_satisfaction_is_the_share_of_fours_and_fives(five_ratings, instructor):
    report = ratings.satisfaction_report()

    assert report.overall.satisfaction == Decimal("60.0")
    assert report.overall.average == Decimal("3.80")
    for summaries in (report.classes, report.courses, report.instructors, report.sites):
        (summary,) = summaries
        assert (summary.count, summary.satisfaction) == (5, Decimal("60.0"))
    assert report.instructors[0].label == instructor.real_name
    assert report.sites[0].label == "桃园社区党群服务中心"
    assert report.courses[0].label == "公益理念"


def test_the_report_filters_by_the_day_the_rating_was_given(five_ratings):
    Feedback.objects.filter(score=2).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    since = timezone.localdate() - timedelta(days=10)

    report = ratings.satisfaction_report(since=since)

    assert (report.overall.count, report.overall.satisfaction) == (4, Decimal("75.0"))


def test_class_ratings_count_for_the_class_instructors_and_site(
    ended_class, instructor, trainee
):
    _attend(_past_session(ended_class, days_ago=10), trainee)
    ratings.give_feedback(ended_class, trainee=trainee, score=5)

    report = ratings.satisfaction_report()

    assert [s.label for s in report.instructors] == [instructor.real_name]
    assert [s.label for s in report.sites] == ["线上 / 未指定教学点"]


def test_the_report_takes_the_same_queries_for_few_or_many_ratings(
    five_ratings, course, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as few:
        ratings.satisfaction_report()
    for _ in range(3):
        other = _past_session(TrainingClassFactory(course=course), days_ago=2)
        other.instructors.add(UserFactory(role=roles.INSTRUCTOR))
        person = UserFactory(role=roles.TRAINEE)
        _attend(other, person)
        ratings.give_feedback(other, trainee=person, score=4)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(ratings.satisfaction_report().classes) == 4


def test_the_admin_report_shows_and_exports_satisfaction(
    client, five_ratings, school_admin
):
    client.force_login(school_admin)
    url = reverse("courses_feedback_report")

    page = client.get(url).content.decode()
    export = client.get(url, {"export": "csv"})

    assert "评价 5 条 · 平均 3.80 分 · 满意率 60.0%" in page
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["维度", "名称", "评价数", "平均分", "满意率（%）"]
    assert rows[1] == ["全部", "全部", "5", "3.80", "60.0"]
    assert ["按教学点", "桃园社区党群服务中心", "5", "3.80", "60.0"] in rows


def test_the_admin_report_is_a_404_for_instructors_and_closed_to_trainees(
    client, five_ratings, instructor, trainee
):
    url = reverse("courses_feedback_report")
    client.force_login(instructor)
    assert client.get(url).status_code == 404
    assert client.get(url, {"export": "csv"}).status_code == 404
    client.force_login(trainee)  # no admin access at all: Wagtail sends them away
    assert client.get(url).status_code == 302


def test_a_reversed_date_range_is_refused_with_a_message(client, school_admin):
    client.force_login(school_admin)

    page = client.get(
        reverse("courses_feedback_report"),
        {"since": "2026-02-01", "until": "2026-01-01"},
    ).content.decode()

    assert "开始日期不能晚于结束日期。" in page


def test_a_post_without_the_csrf_token_is_refused(held_session, trainee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)

    response = client.post(
        reverse("feedback:give_session", args=[held_session.pk]), {"score": "5"}
    )

    assert response.status_code == 403
    assert not Feedback.objects.exists()
