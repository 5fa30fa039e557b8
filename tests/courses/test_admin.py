"""The training class admin, once per role: administrators see and manage every
class; an instructor sees only the classes they teach (others are a 404) and may
not change enrolments; a trainee never reaches the admin."""

import csv
import io
import json
from datetime import timedelta
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from courses import services
from courses.models import (
    ClassLevel,
    Enrollment,
    EnrollmentEvent,
    LessonProgress,
    QuizAttemptGrant,
    Tier,
    TrainingClass,
)
from courses.rosters import class_roster
from courses.viewsets import TrainingClassForm
from school import roles
from school.models import Level, OrgUnit
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Enrollment.Status
ADMIN_HOME = reverse("wagtailadmin_home")
INDEX = reverse("training_classes:index")


def url(name: str, *args) -> str:
    return reverse(f"training_classes:{name}", args=args)


@pytest.fixture
def other_instructor(grid):
    return UserFactory(real_name="周讲师", org_unit=grid, role=roles.INSTRUCTOR)


@pytest.fixture
def taught_class(training_class, instructor):
    """公益理念 第 N 期, taught by 李讲师."""
    training_class.instructors.add(instructor)
    return training_class


@pytest.fixture
def other_class(course_index, other_instructor):
    """A specialist class taught by someone else."""
    course = CoursePageFactory(
        parent=course_index, title="应急处置", slug="ying-ji", tier=Tier.SPECIALIST
    )
    training_class = TrainingClassFactory(course=course, level=ClassLevel.CITY)
    training_class.instructors.add(other_instructor)
    return training_class


@pytest.fixture
def approval_class(taught_class):
    taught_class.requires_approval = True
    taught_class.save(update_fields=["requires_approval"])
    return taught_class


@pytest.fixture
def pending(approval_class, trainee) -> Enrollment:
    enrollment = services.enroll_trainee(approval_class, trainee=trainee, actor=trainee)
    assert enrollment.status == Status.PENDING
    return enrollment


def class_data(course, instructor, **overrides) -> dict:
    now = timezone.localtime()
    data = {
        "course": course.pk,
        "number": 7,
        "level": ClassLevel.DISTRICT,
        "capacity": 40,
        "enrol_opens_at": now.strftime("%Y-%m-%d %H:%M"),
        "enrol_closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"),
        "starts_on": (now + timedelta(days=8)).strftime("%Y-%m-%d"),
        "ends_on": (now + timedelta(days=10)).strftime("%Y-%m-%d"),
        "instructors": [instructor.pk],
        "practice_site": "",
        "absence_warning_at": 3,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def listed(response) -> set[TrainingClass]:
    return set(response.context["object_list"])


# The list ------------------------------------------------------------------


def test_school_admin_sees_every_class_and_the_courses_menu(
    client, school_admin, taught_class, other_class
):
    client.force_login(school_admin)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert listed(response) == {taught_class, other_class}
    home = client.get(ADMIN_HOME).content.decode()
    assert json.dumps("课程")[1:-1] in home
    assert json.dumps("培训班")[1:-1] in home


def test_instructor_sees_only_the_classes_they_teach(
    client, instructor, taught_class, other_class
):
    client.force_login(instructor)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert listed(response) == {taught_class}
    assert "应急处置" not in response.content.decode()
    # The title leads an instructor, who may not edit, to the roster.
    assert url("roster", taught_class.pk) in response.content.decode()
    assert url("edit", taught_class.pk) not in response.content.decode()


def test_trainee_cannot_reach_the_class_admin(client, trainee, taught_class):
    client.force_login(trainee)

    for path in (
        INDEX,
        url("roster", taught_class.pk),
        url("export_roster", taught_class.pk, "csv"),
        url("quiz_results", taught_class.pk),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_class_list_filters_by_tier_level_and_approval(
    client, school_admin, taught_class, other_class
):
    client.force_login(school_admin)

    assert listed(client.get(INDEX, {"tier": Tier.SPECIALIST})) == {other_class}
    assert listed(client.get(INDEX, {"level": ClassLevel.CITY})) == {other_class}
    assert listed(client.get(INDEX, {"requires_approval": "false"})) == {
        taught_class,
        other_class,
    }
    assert listed(client.get(INDEX, {"is_active": "true"})) == {
        taught_class,
        other_class,
    }


def test_class_list_searches_by_course_title(
    client, school_admin, taught_class, other_class
):
    client.force_login(school_admin)

    response = client.get(INDEX, {"q": "应急"})

    assert listed(response) == {other_class}


def test_class_list_exports_with_chinese_headings(
    client, school_admin, taught_class, other_class
):
    client.force_login(school_admin)

    response = client.get(INDEX, {"export": "csv"})

    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:3] == ["课程", "期数", "班级级别"]
    assert {row[0] for row in rows[1:]} == {"公益理念", "应急处置"}
    assert "李讲师" in content


def test_instructor_exports_only_their_classes(
    client, instructor, taught_class, other_class
):
    client.force_login(instructor)

    response = client.get(INDEX, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["公益理念"]


# The form ------------------------------------------------------------------


def test_school_admin_creates_a_class(client, school_admin, course, instructor):
    client.force_login(school_admin)

    response = client.post(url("add"), class_data(course, instructor))

    assert response.status_code == 302
    training_class = TrainingClass.objects.get(course=course, number=7)
    assert list(training_class.instructors.all()) == [instructor]
    assert training_class.capacity == 40
    assert training_class.absence_warning_at == 3
    assert training_class.is_online


def test_class_form_offers_live_courses_and_instructors_only(
    client, school_admin, course, course_index, instructor, trainee
):
    draft = CoursePageFactory(parent=course_index, title="草稿课程", live=False)
    client.force_login(school_admin)

    form = client.get(url("add")).context["form"]

    assert course in form.fields["course"].queryset
    assert draft not in form.fields["course"].queryset
    assert set(form.fields["instructors"].queryset) == {instructor}


def test_class_form_explains_bad_dates_and_duplicates_in_chinese(
    client, school_admin, taught_class, instructor
):
    client.force_login(school_admin)
    now = timezone.localtime()

    response = client.post(
        url("add"),
        class_data(
            taught_class.course,
            instructor,
            number=taught_class.number,
            enrol_closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            ends_on=(now - timedelta(days=30)).strftime("%Y-%m-%d"),
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["enrol_closes_at"] == ["报名截止时间须晚于报名开始时间。"]
    assert errors["ends_on"] == ["结业日期不能早于开班日期。"]
    assert errors["number"] == [f"《公益理念》已有第 {taught_class.number} 期。"]
    assert TrainingClass.objects.count() == 1


def test_capacity_cannot_drop_below_seats_taken(
    client, school_admin, taught_class, trainee, other_trainee, instructor
):
    for person in (trainee, other_trainee):
        services.enroll_trainee(taught_class, trainee=person, actor=person)
    client.force_login(school_admin)

    response = client.post(
        url("edit", taught_class.pk),
        class_data(
            taught_class.course, instructor, number=taught_class.number, capacity=1
        ),
    )

    assert response.context["form"].errors["capacity"] == [
        "已有 2 人报名，名额不能少于此数。"
    ]
    taught_class.refresh_from_db()
    assert taught_class.capacity == 30


def test_instructor_cannot_add_or_edit_classes(client, instructor, taught_class):
    client.force_login(instructor)

    for path in (url("add"), url("edit", taught_class.pk)):
        response = client.get(path)
        # Wagtail answers a PermissionDenied with its "no permission" redirect.
        assert response.status_code == 302
        assert response.url == ADMIN_HOME

    response = client.post(
        url("edit", taught_class.pk),
        class_data(taught_class.course, instructor, number=99, capacity=5),
    )
    taught_class.refresh_from_db()
    assert (taught_class.number, taught_class.capacity) != (99, 5)


# Roster and exports ----------------------------------------------------------


@pytest.fixture
def studying(taught_class, lessons, trainee, other_trainee):
    """张三 finished lesson 1 and scored 50 then 100 on the quiz; 李四 just
    enrolled."""
    first = services.enroll_trainee(taught_class, trainee=trainee, actor=trainee)
    services.complete_lesson(first, lessons[0], actor=trainee)
    services.submit_quiz(
        first, lessons[1], answers={"q0": [0], "q1": [0]}, actor=trainee
    )
    services.submit_quiz(
        first, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=trainee
    )
    second = services.enroll_trainee(
        taught_class, trainee=other_trainee, actor=other_trainee
    )
    return first, second


def test_roster_shows_trainees_progress_and_best_scores(
    client, instructor, taught_class, studying, trainee
):
    client.force_login(instructor)

    response = client.get(url("roster", taught_class.pk))

    assert response.status_code == 200
    rows = {row.trainee.real_name: row for row in response.context["roster"].rows}
    # Progress counts lessons: 张三 has studied one of two (the quiz he passed
    # is not a step of its own).
    assert rows["张三"].progress == 50
    assert rows["张三"].quiz_scores == (100,)
    assert rows["张三"].unit == "测试街道 › 桃园社区 › 第1网格"
    assert rows["李四"].progress == 0
    assert rows["李四"].quiz_scores == (None,)
    content = response.content.decode()
    assert trainee.masked_phone in content
    assert trainee.phone not in content


def test_roster_csv_has_chinese_headers_and_full_phones_for_administrators(
    client, school_admin, taught_class, studying, trainee
):
    client.force_login(school_admin)

    response = client.get(url("export_roster", taught_class.pk, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = unquote(response["Content-Disposition"])
    assert f"公益理念-第{taught_class.number}期-花名册.csv" in disposition
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0] == [
        "序号",
        "姓名",
        "手机号",
        "所属单位",
        "状态",
        "报名时间",
        "学习进度（%）",
        "《第二课 服务礼仪》测验最高分",
    ]
    first = rows[1]
    assert first[1:5] == [
        "张三",
        trainee.phone,
        "测试街道 › 桃园社区 › 第1网格",
        "学习中",
    ]
    assert first[6:] == ["50", "100"]
    assert rows[2][1] == "李四" and rows[2][7] == ""


def test_roster_xlsx_has_the_same_rows(
    client, school_admin, taught_class, studying, trainee
):
    client.force_login(school_admin)

    response = client.get(url("export_roster", taught_class.pk, "xlsx"))

    assert response.status_code == 200
    assert "花名册.xlsx" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "姓名", "手机号")
    assert rows[1][:5] == (
        1,
        "张三",
        trainee.phone,
        "测试街道 › 桃园社区 › 第1网格",
        "学习中",
    )
    assert rows[1][6:] == (50, 100)
    assert rows[2][1] == "李四"


def test_a_name_like_a_formula_stays_text_in_exports(
    client, school_admin, taught_class, grid
):
    sly = UserFactory(real_name="=HYPERLINK(1)", org_unit=grid, role=roles.TRAINEE)
    services.enroll_trainee(taught_class, trainee=sly, actor=sly)
    client.force_login(school_admin)

    csv_text = client.get(url("export_roster", taught_class.pk, "csv")).content
    xlsx = client.get(url("export_roster", taught_class.pk, "xlsx")).content

    assert "'=HYPERLINK(1)" in csv_text.decode("utf-8")
    cell = load_workbook(io.BytesIO(xlsx)).active["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_instructor_gets_404_for_another_instructors_class(
    client, instructor, other_class
):
    client.force_login(instructor)

    for path in (
        url("roster", other_class.pk),
        url("export_roster", other_class.pk, "csv"),
        url("export_roster", other_class.pk, "xlsx"),
        url("quiz_results", other_class.pk),
        url("bulk_enroll", other_class.pk),
        url("roster", 999999),
    ):
        assert client.get(path).status_code == 404


def test_an_unknown_export_format_is_a_404(client, school_admin, taught_class):
    client.force_login(school_admin)

    assert client.get(url("export_roster", taught_class.pk, "pdf")).status_code == 404


# Approving and rejecting requests ------------------------------------------


def test_pending_requests_show_approve_and_reject_buttons(
    client, school_admin, pending
):
    client.force_login(school_admin)

    response = client.get(url("roster", pending.training_class_id))

    content = response.content.decode()
    assert [row.enrollment for row in response.context["roster"].pending] == [pending]
    assert url("approve_enrollment", pending.pk) in content
    assert url("reject_enrollment", pending.pk) in content


def test_school_admin_approves_a_request_by_post(client, school_admin, pending):
    client.force_login(school_admin)

    response = client.post(url("approve_enrollment", pending.pk))

    assert response.status_code == 302
    assert response.url == url("roster", pending.training_class_id)
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE
    assert pending.training_class.seats_taken == 1
    event = pending.events.last()
    assert (event.kind, event.actor) == (EnrollmentEvent.Kind.APPROVED, school_admin)


def test_school_admin_rejects_a_request_with_a_reason(client, school_admin, pending):
    client.force_login(school_admin)

    response = client.post(
        url("reject_enrollment", pending.pk), {"note": "本期仅面向网格员"}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    event = pending.events.last()
    assert (event.kind, event.note) == (
        EnrollmentEvent.Kind.REJECTED,
        "本期仅面向网格员",
    )


def test_rejecting_without_a_reason_changes_nothing(client, school_admin, pending):
    client.force_login(school_admin)

    response = client.post(
        url("reject_enrollment", pending.pk), {"note": ""}, follow=True
    )

    assert "请填写不通过的原因。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_approving_twice_says_why_in_chinese(client, school_admin, pending):
    client.force_login(school_admin)
    client.post(url("approve_enrollment", pending.pk))

    response = client.post(url("approve_enrollment", pending.pk), follow=True)

    assert "只能审核待审核的报名。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.training_class.seats_taken == 1


def test_get_never_approves_or_rejects(client, school_admin, pending):
    client.force_login(school_admin)

    assert client.get(url("approve_enrollment", pending.pk)).status_code == 405
    assert client.get(url("reject_enrollment", pending.pk)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert pending.events.count() == 1


def test_approving_needs_the_csrf_token(school_admin, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)

    response = client.post(url("approve_enrollment", pending.pk))

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_instructor_reads_requests_but_cannot_decide_them(client, instructor, pending):
    client.force_login(instructor)

    roster = client.get(url("roster", pending.training_class_id))
    response = client.post(url("approve_enrollment", pending.pk))

    assert "等待管理员审核" in roster.content.decode()
    assert url("approve_enrollment", pending.pk) not in roster.content.decode()
    assert (response.status_code, response.url) == (302, ADMIN_HOME)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_another_instructor_gets_404_on_a_request(client, other_instructor, pending):
    client.force_login(other_instructor)

    assert client.post(url("approve_enrollment", pending.pk)).status_code == 404
    assert (
        client.post(url("reject_enrollment", pending.pk), {"note": "x"}).status_code
        == 404
    )
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


# Bulk enrolment by org unit --------------------------------------------------


@pytest.fixture
def second_grid(community):
    return OrgUnitFactory(parent=community, name="第2网格", kind=OrgUnit.Kind.GRID)


@pytest.fixture
def neighbours(second_grid):
    """Four residents of 桃园社区 第2网格."""
    return [
        UserFactory(real_name=f"居民{n}", org_unit=second_grid, role=roles.TRAINEE)
        for n in range(4)
    ]


def test_school_admin_bulk_enrols_a_community(
    client, school_admin, taught_class, community, neighbours
):
    client.force_login(school_admin)

    response = client.post(
        url("bulk_enroll", taught_class.pk),
        {"org_unit": community.pk, "confirm": "1"},
    )

    assert response.status_code == 200
    result = response.context["result"]
    # The community's grids and everyone in them.
    assert set(neighbours) <= set(result.enrolled)
    enrolled = Enrollment.objects.filter(training_class=taught_class, status="active")
    assert set(enrolled.values_list("trainee_id", flat=True)) == {
        person.pk for person in result.enrolled
    }
    taught_class.refresh_from_db()
    assert taught_class.seats_taken == len(result.enrolled)
    assert f"报名成功：{len(result.enrolled)} 人" in response.content.decode()


def test_bulk_enrolment_lists_everyone_left_out_with_the_reason(
    client, school_admin, taught_class, second_grid, neighbours
):
    enrolled_before, *others = neighbours
    services.enroll_trainee(taught_class, trainee=enrolled_before, actor=school_admin)
    course = taught_class.course
    course.minimum_level = Level.VOLUNTEER
    course.save()
    for person in others[:2]:
        person.level = Level.VOLUNTEER
        person.save()
    resident = others[2]
    TrainingClass.objects.filter(pk=taught_class.pk).update(capacity=2)  # 1 seat left
    client.force_login(school_admin)

    response = client.post(
        url("bulk_enroll", taught_class.pk),
        {"org_unit": second_grid.pk, "confirm": "1"},
    )

    result = response.context["result"]
    assert result.enrolled == [others[0]]
    assert result.already == [enrolled_before]
    assert result.no_seat == [others[1]]
    assert response.context["left_out"] == [
        (enrolled_before, "已在本班"),
        (resident, "需达到「志愿者」等级"),
        (others[1], "名额已满"),
    ]
    content = response.content.decode()
    assert "需达到「志愿者」等级" in content
    assert resident.masked_phone in content
    taught_class.refresh_from_db()
    assert taught_class.seats_taken == 2


def test_bulk_enrolment_offers_streets_communities_and_grids_with_full_names(
    client, school_admin, taught_class, community, grid
):
    client.force_login(school_admin)

    response = client.get(url("bulk_enroll", taught_class.pk))

    field = response.context["form"].fields["org_unit"]
    assert field.names[community.pk] == "测试街道 › 桃园社区"
    assert field.names[grid.pk] == "测试街道 › 桃园社区 › 第1网格"
    assert {unit.kind for unit in field.units} == {"street", "community", "grid"}
    content = response.content.decode()
    # A searchable picker: a text box tied to a datalist of every full name.
    assert 'list="org-unit-options"' in content
    assert '<datalist id="org-unit-options">' in content
    assert '<option value="测试街道 › 桃园社区 › 第1网格">' in content


def test_bulk_enrolment_without_a_unit_is_a_form_error(
    client, school_admin, taught_class
):
    client.force_login(school_admin)

    response = client.post(url("bulk_enroll", taught_class.pk), {})

    assert response.context["form"].errors["org_unit"] == ["请选择单位。"]
    assert not Enrollment.objects.exists()


def test_instructor_cannot_bulk_enrol(
    client, instructor, taught_class, community, neighbours
):
    client.force_login(instructor)

    for data in ({"org_unit": community.pk}, {"org_unit": community.pk, "confirm": 1}):
        response = client.post(url("bulk_enroll", taught_class.pk), data)
        assert (response.status_code, response.url) == (302, ADMIN_HOME)
    assert not Enrollment.objects.exists()


# Quiz results ----------------------------------------------------------------


def test_instructor_sees_quiz_results_of_their_class(
    client, instructor, taught_class, studying
):
    client.force_login(instructor)

    response = client.get(url("quiz_results", taught_class.pk))

    assert response.status_code == 200
    [result] = response.context["results"]
    assert result.lesson.title == "第二课 服务礼仪"
    rows = {row.enrollment.trainee.real_name: row for row in result.rows}
    assert [a.score for a in rows["张三"].attempts] == [50, 100]
    assert (rows["张三"].best, rows["张三"].passed) == (100, True)
    assert (rows["李四"].best, rows["李四"].passed) == (None, False)
    content = response.content.decode()
    assert "第 2 次：100 分" in content
    assert "未作答" in content


def test_school_admin_sees_quiz_results_of_any_class(client, school_admin, other_class):
    client.force_login(school_admin)

    response = client.get(url("quiz_results", other_class.pk))

    assert response.status_code == 200
    assert "本课程的课时没有测验。" in response.content.decode()


def test_roster_progress_counts_only_live_lessons(
    client, school_admin, taught_class, studying, lessons
):
    enrollment, _second = studying
    lessons[0].unpublish()
    client.force_login(school_admin)

    response = client.get(url("roster", taught_class.pk))

    row = next(r for r in response.context["roster"].rows if r.enrollment == enrollment)
    # Left: lesson 2, passed but not yet ticked. The progress row of the
    # unpublished lesson stays, should it come back.
    assert row.progress == 0
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1


def test_roster_reads_in_a_fixed_number_of_queries(taught_class, lessons, grid):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = class_roster(taught_class).rows
        return len(captured), len(rows)

    people = [UserFactory(org_unit=grid, role=roles.TRAINEE) for _ in range(6)]
    services.enroll_trainee(taught_class, trainee=people[0], actor=people[0])
    one = queries()
    for person in people[1:]:
        enrollment = services.enroll_trainee(taught_class, trainee=person, actor=person)
        services.complete_lesson(enrollment, lessons[0], actor=person)
    six = queries()

    assert (one[1], six[1]) == (1, 6)
    assert one[0] == six[0]


def test_editing_a_class_keeps_seats_taken_meanwhile(taught_class, instructor, trainee):
    loaded = TrainingClass.objects.get(pk=taught_class.pk)
    form = TrainingClassForm(
        class_data(
            taught_class.course, instructor, number=taught_class.number, capacity=25
        ),
        instance=loaded,
    )
    assert form.is_valid(), form.errors
    # Someone enrols between loading the edit form and saving it.
    services.enroll_trainee(taught_class, trainee=trainee, actor=trainee)

    form.save()

    taught_class.refresh_from_db()
    assert (taught_class.capacity, taught_class.seats_taken) == (25, 1)


# Extra quiz attempts -----------------------------------------------------------


@pytest.fixture
def used_up(taught_class, lessons, trainee) -> Enrollment:
    """张三 failed the quiz twice: its two attempts are used up."""
    enrollment = services.enroll_trainee(taught_class, trainee=trainee, actor=trainee)
    for _ in range(2):
        services.submit_quiz(
            enrollment, lessons[1], answers={"q0": [1], "q1": [1]}, actor=trainee
        )
    return enrollment


def _grant_data(enrollment, lesson, **changes) -> dict:
    return {
        "enrollment": enrollment.pk,
        "lesson": lesson.pk,
        "extra": "1",
        "reason": "第一次作答时网络中断",
        **changes,
    }


@pytest.mark.parametrize("who", ["instructor", "school_admin"])
def test_an_instructor_of_the_class_or_an_administrator_grants_an_attempt(
    client, request, who, taught_class, used_up, lessons, trainee
):
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    page = client.get(url("quiz_results", taught_class.pk)).content.decode()
    assert "为 张三 增加作答次数" in page and "（次数已用完）" in page

    response = client.post(
        url("grant_quiz_attempts", taught_class.pk), _grant_data(used_up, lessons[1])
    )

    assert (response.status_code, response.url) == (
        302,
        url("quiz_results", taught_class.pk),
    )
    grant = QuizAttemptGrant.objects.get()
    assert (grant.enrollment, grant.lesson_id, grant.extra) == (
        used_up,
        lessons[1].pk,
        1,
    )
    assert (grant.actor, grant.reason) == (actor, "第一次作答时网络中断")
    page = client.get(url("quiz_results", taught_class.pk)).content.decode()
    assert f"+1 次 · {actor.real_name}" in page and "第一次作答时网络中断" in page
    attempt = services.submit_quiz(
        used_up, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=trainee
    )
    assert (attempt.number, attempt.passed) == (3, True)


def test_the_author_of_the_course_grants_in_its_classes(
    client, other_instructor, course, taught_class, used_up, lessons
):
    course.owner = other_instructor
    course.save(update_fields=["owner"])
    client.force_login(other_instructor)

    response = client.post(
        url("grant_quiz_attempts", taught_class.pk), _grant_data(used_up, lessons[1])
    )

    assert response.status_code == 302
    assert QuizAttemptGrant.objects.get().actor == other_instructor


def test_a_trainee_or_another_instructor_cannot_grant_attempts(
    client, trainee, other_instructor, taught_class, used_up, lessons
):
    grant_url = url("grant_quiz_attempts", taught_class.pk)
    client.force_login(trainee)
    response = client.post(grant_url, _grant_data(used_up, lessons[1]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))

    client.force_login(other_instructor)
    assert client.post(grant_url, _grant_data(used_up, lessons[1])).status_code == 404
    page = client.get(url("quiz_results", taught_class.pk))
    assert page.status_code == 404
    assert not QuizAttemptGrant.objects.exists()


def test_granting_is_a_csrf_protected_post_with_a_reason(
    school_admin, taught_class, used_up, lessons
):
    grant_url = url("grant_quiz_attempts", taught_class.pk)
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)

    assert client.get(grant_url, _grant_data(used_up, lessons[1])).status_code == 405
    assert client.post(grant_url, _grant_data(used_up, lessons[1])).status_code == 403
    assert not QuizAttemptGrant.objects.exists()

    client = Client()
    client.force_login(school_admin)
    response = client.post(
        grant_url, _grant_data(used_up, lessons[1], reason=""), follow=True
    )
    assert "请填写增加作答次数的原因。" in response.content.decode()
    assert not QuizAttemptGrant.objects.exists()
    client.post(grant_url, _grant_data(used_up, lessons[1]))
    assert QuizAttemptGrant.objects.count() == 1


def test_an_enrolment_of_another_class_cannot_be_granted_through_this_one(
    client, school_admin, taught_class, other_class, lessons, other_trainee
):
    elsewhere = services.enroll_trainee(
        other_class, trainee=other_trainee, actor=other_trainee
    )
    client.force_login(school_admin)

    response = client.post(
        url("grant_quiz_attempts", taught_class.pk), _grant_data(elsewhere, lessons[1])
    )

    assert response.status_code == 404
    assert not QuizAttemptGrant.objects.exists()


# An instructor's admin home -------------------------------------------------


def test_instructor_home_lists_their_courses_and_classes_with_links(
    client, instructor, course, taught_class, other_class, trainee
):
    course.owner = instructor
    course.save(update_fields=["owner"])
    services.enroll_trainee(taught_class, trainee=trainee, actor=trainee)
    client.force_login(instructor)

    content = client.get(ADMIN_HOME).content.decode()

    assert "我的课程与班级" in content
    assert reverse("wagtailadmin_pages:edit", args=[course.pk]) in content
    assert url("roster", taught_class.pk) in content
    assert url("quiz_results", taught_class.pk) in content
    assert url("roster", other_class.pk) not in content


def test_home_shows_no_teaching_panel_to_whoever_teaches_nothing(
    client, other_instructor, taught_class
):
    client.force_login(other_instructor)

    assert "我的课程与班级" not in client.get(ADMIN_HOME).content.decode()


def test_the_author_of_a_course_reads_the_roster_of_any_of_its_classes(
    client, other_instructor, course, taught_class, studying
):
    course.owner = other_instructor
    course.save(update_fields=["owner"])
    client.force_login(other_instructor)

    assert client.get(url("roster", taught_class.pk)).status_code == 200
    assert client.get(url("quiz_results", taught_class.pk)).status_code == 200
    assert taught_class in listed(client.get(INDEX))
    home = client.get(ADMIN_HOME).content.decode()
    assert url("roster", taught_class.pk) in home


def test_an_instructor_neither_teaching_nor_authoring_gets_404_on_the_roster(
    client, other_instructor, taught_class
):
    client.force_login(other_instructor)

    assert client.get(url("roster", taught_class.pk)).status_code == 404


# Rosters: phones, search, removal and completion by hand ----------------------


def test_administrators_see_full_phones_and_instructors_masked_ones(
    client, school_admin, instructor, taught_class, studying, trainee
):
    client.force_login(school_admin)
    admin_page = client.get(url("roster", taught_class.pk)).content.decode()
    client.force_login(instructor)
    teacher_page = client.get(url("roster", taught_class.pk)).content.decode()
    teacher_csv = client.get(url("export_roster", taught_class.pk, "csv"))

    assert trainee.phone in admin_page
    assert trainee.phone not in teacher_page
    assert trainee.masked_phone in teacher_page
    assert trainee.phone not in teacher_csv.content.decode("utf-8")
    assert trainee.masked_phone in teacher_csv.content.decode("utf-8")


def test_roster_searches_by_name_or_phone_and_filters_by_status(
    client, school_admin, taught_class, studying, trainee, other_trainee
):
    client.force_login(school_admin)

    def names(**params):
        response = client.get(url("roster", taught_class.pk), params)
        return [row.trainee.real_name for row in response.context["listed"].rows]

    assert names() == ["张三", "李四"]
    assert names(q="李") == ["李四"]
    assert names(q=trainee.phone[-4:]) == ["张三"]
    assert names(status="completed") == []
    services.complete_by_hand(studying[1], actor=school_admin, reason="线下考核合格")
    assert names(status="completed") == ["李四"]
    assert names(status="active", q="李") == []


def test_administrator_removes_a_trainee_with_a_reason(
    client, school_admin, taught_class, studying
):
    enrollment = studying[0]
    client.force_login(school_admin)

    response = client.post(
        url("remove_trainee", enrollment.pk), {"reason": "重复报名"}, follow=True
    )

    assert "已将 张三 移出本班。" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Status.WITHDRAWN
    event = enrollment.events.get(kind=EnrollmentEvent.Kind.WITHDRAWN)
    assert (event.actor, event.note) == (school_admin, "重复报名")
    taught_class.refresh_from_db()
    assert taught_class.seats_taken == 1


def test_administrator_marks_a_trainee_complete_by_hand_with_a_reason(
    client, school_admin, taught_class, studying, django_capture_on_commit_callbacks
):
    from courses.signals import enrollment_completed

    completed = []

    def receiver(sender, enrollment_id, **kwargs):
        completed.append(enrollment_id)

    enrollment_completed.connect(receiver)
    enrollment = studying[1]
    client.force_login(school_admin)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("complete_by_hand", enrollment.pk), {"reason": "纸质考勤已核"}
            )
    finally:
        enrollment_completed.disconnect(receiver)

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED and enrollment.completed_at
    event = enrollment.events.get(kind=EnrollmentEvent.Kind.COMPLETED)
    assert (event.actor, event.note) == (school_admin, "纸质考勤已核")
    assert completed == [enrollment.pk]


def test_roster_actions_need_a_reason_a_post_and_the_csrf_token(
    school_admin, taught_class, studying
):
    enrollment = studying[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)
    for name in ("remove_trainee", "complete_by_hand"):
        assert client.get(url(name, enrollment.pk)).status_code == 405
        assert client.post(url(name, enrollment.pk), {"reason": "x"}).status_code == 403

    client = Client()
    client.force_login(school_admin)
    for name in ("remove_trainee", "complete_by_hand"):
        response = client.post(url(name, enrollment.pk), {"reason": ""}, follow=True)
        assert "请填写原因。" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ACTIVE
    # The control: with a reason, the same POST does change it.
    client.post(url("complete_by_hand", enrollment.pk), {"reason": "补录"})
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED


def test_instructor_cannot_remove_or_complete_and_others_get_404(
    client, instructor, other_instructor, taught_class, studying
):
    enrollment = studying[0]
    client.force_login(instructor)
    roster = client.get(url("roster", taught_class.pk)).content.decode()
    assert url("remove_trainee", enrollment.pk) not in roster
    for name in ("remove_trainee", "complete_by_hand"):
        # Wagtail answers a PermissionDenied with a redirect to the admin home.
        response = client.post(url(name, enrollment.pk), {"reason": "x"})
        assert (response.status_code, response.url) == (302, ADMIN_HOME)
    client.force_login(other_instructor)
    for name in ("remove_trainee", "complete_by_hand"):
        assert client.post(url(name, enrollment.pk), {"reason": "x"}).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ACTIVE


def test_completing_by_hand_twice_says_why(school_admin, studying):
    services.complete_by_hand(studying[0], actor=school_admin, reason="补录")

    with pytest.raises(ValidationError, match="只能为学习中的学员手动结业"):
        services.complete_by_hand(studying[0], actor=school_admin, reason="补录")
    assert studying[0].events.filter(kind="completed").count() == 1


# Bulk enrolment: the confirmation step -----------------------------------------


def test_bulk_enrolment_first_shows_the_counts_and_changes_nothing(
    client, school_admin, taught_class, second_grid, neighbours
):
    services.enroll_trainee(taught_class, trainee=neighbours[0], actor=school_admin)
    client.force_login(school_admin)

    response = client.post(
        url("bulk_enroll", taught_class.pk),
        {"org_unit": "测试街道 › 桃园社区 › 第2网格"},
    )

    preview = response.context["preview"]
    assert preview.enrolled == neighbours[1:]
    assert preview.already == [neighbours[0]]
    content = response.content.decode()
    assert "将报名：3 人" in content and "已在本班：1 人" in content
    assert "确认报名 3 人" in content
    assert Enrollment.objects.count() == 1
    taught_class.refresh_from_db()
    assert taught_class.seats_taken == 1


def test_bulk_enrolment_picker_takes_a_unique_unit_name_and_refuses_unknown_ones(
    client, school_admin, taught_class, second_grid, neighbours
):
    client.force_login(school_admin)

    unique = client.post(url("bulk_enroll", taught_class.pk), {"org_unit": "第2网格"})
    unknown = client.post(url("bulk_enroll", taught_class.pk), {"org_unit": "月亮社区"})

    assert unique.context["unit"] == second_grid
    assert unknown.context["form"].errors["org_unit"] == [
        "没有找到这个单位，请从列表中选择。"
    ]
    assert not Enrollment.objects.exists()


def test_bulk_enrolment_confirmation_needs_the_csrf_token(
    school_admin, taught_class, second_grid, neighbours
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)

    data = {"org_unit": second_grid.pk, "confirm": "1"}
    assert client.post(url("bulk_enroll", taught_class.pk), data).status_code == 403
    assert client.get(url("bulk_enroll", taught_class.pk), data).status_code == 200
    assert not Enrollment.objects.exists()


# The class form ---------------------------------------------------------------


def test_class_form_proposes_the_next_number_and_names_each_courses_school(
    client, school_admin, course, taught_class
):
    TrainingClassFactory(course=course, number=taught_class.number + 4)
    client.force_login(school_admin)

    response = client.get(url("add"), {"course": course.pk})
    form = response.context["form"]

    assert form.initial["course"] == course.pk
    assert form["number"].value() == taught_class.number + 5
    labels = dict(form.fields["course"].choices)
    assert any(
        str(label).startswith("《公益理念》 · 网格学校") for label in labels.values()
    )
    plain = client.get(url("add")).context["form"]
    assert plain["number"].value() is None
    # Changing the course in the browser proposes its number (class-form.js).
    numbers = json.loads(form.fields["course"].widget.attrs["data-next-numbers"])
    assert numbers[str(course.pk)] == taught_class.number + 5
    assert "courses/admin/class-form.js" in response.content.decode()
    index = client.get(INDEX).content.decode()
    assert f"{url('add')}?course={course.pk}" in index
