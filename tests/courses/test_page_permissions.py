"""Authoring courses in the Wagtail admin: an instructor creates and edits only their
own courses and lessons and submits them for moderation; an administrator approves
and the page goes live; publishing a new revision never loses trainees' progress."""

from django.urls import reverse

from wagtail.models import Page, Workflow, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from courses import services
from courses.models import CourseIndexPage, CoursePage, LessonPage, LessonProgress
from school import roles
from school.models import SchoolPage
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")


@pytest.fixture
def other_instructor(grid):
    return UserFactory(real_name="周讲师", org_unit=grid, role=roles.INSTRUCTOR)


@pytest.fixture
def own_course(course_index, instructor):
    """A published course 李讲师 wrote, with one lesson of theirs."""
    course = CoursePageFactory(
        parent=course_index, title="活动策划", slug="huo-dong", owner=instructor
    )
    LessonPageFactory(parent=course, title="策划第一课", slug="c1", owner=instructor)
    return course


@pytest.fixture
def others_course(course_index, other_instructor):
    """A published course by 周讲师, with one lesson of theirs."""
    course = CoursePageFactory(
        parent=course_index, title="应急处置", slug="ying-ji", owner=other_instructor
    )
    LessonPageFactory(
        parent=course, title="应急第一课", slug="y1", owner=other_instructor
    )
    return course


def add_url(model, parent) -> str:
    return reverse(
        "wagtailadmin_pages:add",
        args=(model._meta.app_label, model._meta.model_name, parent.pk),
    )


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def course_form(page=None, **overrides) -> dict:
    data = {
        "title": page.title if page else "团队管理",
        "slug": page.slug if page else "tuan-dui",
        "tier": page.tier if page else "leadership",
        "summary": page.summary if page else "带好一支志愿者队伍。",
        "objectives": "明确分工\n激励队员",
        "study_hours": "4",
        "minimum_level": "resident",
        "attendance_threshold": "0",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def denied(response) -> bool:
    """Wagtail answers a PermissionDenied in the admin with a redirect home (or a
    403 to a script)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == ADMIN_HOME
    )


def approve(client, page) -> None:
    """Approve the page's current workflow task as the logged-in user would, from
    the button on the dashboard or the editor."""
    state = WorkflowState.objects.get(
        base_content_type__model="page",
        object_id=str(page.pk),
        status=WorkflowState.STATUS_IN_PROGRESS,
    )
    task_state = state.current_task_state
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, "approve", task_state.pk),
        ),
        {"comment": ""},
    )
    assert response.status_code == 302


# Where permissions come from -------------------------------------------------


def test_permissions_and_workflow_reach_a_catalogue_created_later(
    grid_school, instructor
):
    """The migration grants on the root page, so a school and catalogue made by
    seed_demo or an administrator afterwards are covered without another grant."""
    index = CourseIndexPageFactory(parent=grid_school, title="新目录", slug="new")

    assert index.permissions_for_user(instructor).can_add_subpage()
    assert not index.permissions_for_user(instructor).can_edit()
    assert index.get_workflow() == Workflow.objects.get(name="课程审核")
    [task] = index.get_workflow().tasks.specific()
    assert [group.name for group in task.groups.all()] == [roles.SCHOOL_ADMIN]


# Instructors ---------------------------------------------------------------------


def test_instructor_creates_a_course_and_submits_it_for_moderation(
    client, instructor, course_index
):
    client.force_login(instructor)

    response = client.post(
        add_url(CoursePage, course_index), course_form(**{"action-submit": "on"})
    )

    assert response.status_code == 302
    course = CoursePage.objects.get(slug="tuan-dui")
    assert course.owner == instructor
    assert not course.live
    assert course.workflow_in_progress
    assert course.current_workflow_task.name == "管理员审核"


def test_instructor_cannot_publish_their_course_directly(
    client, instructor, course_index
):
    client.force_login(instructor)

    client.post(
        add_url(CoursePage, course_index), course_form(**{"action-publish": "on"})
    )

    assert not CoursePage.objects.get(slug="tuan-dui").live


def test_instructor_edits_their_own_course_and_submits_the_change(
    client, instructor, own_course
):
    client.force_login(instructor)

    assert client.get(edit_url(own_course)).status_code == 200
    response = client.post(
        edit_url(own_course),
        course_form(own_course, title="活动策划（修订版）", **{"action-submit": "on"}),
    )

    assert response.status_code == 302
    own_course.refresh_from_db()
    # Still the published version until an administrator approves.
    assert (own_course.title, own_course.live) == ("活动策划", True)
    assert own_course.has_unpublished_changes
    assert own_course.workflow_in_progress


def test_instructor_cannot_edit_another_instructors_course(
    client, instructor, others_course
):
    revisions = others_course.revisions.count()
    client.force_login(instructor)

    assert denied(client.get(edit_url(others_course)))
    response = client.post(
        edit_url(others_course),
        course_form(others_course, title="改掉别人的课", **{"action-submit": "on"}),
    )

    assert denied(response)
    others_course.refresh_from_db()
    assert others_course.title == "应急处置"
    assert others_course.draft_title == "应急处置"
    assert others_course.revisions.count() == revisions
    assert not others_course.workflow_in_progress


def test_instructor_cannot_edit_another_instructors_lesson(
    client, instructor, others_course
):
    lesson = others_course.get_children().get()
    client.force_login(instructor)

    assert denied(client.get(edit_url(lesson)))
    assert denied(client.post(edit_url(lesson), {"title": "改掉别人的课时"}))
    lesson.refresh_from_db()
    assert lesson.title == "应急第一课"


def test_instructor_adds_lessons_only_under_their_own_course(
    client, instructor, own_course, others_course
):
    client.force_login(instructor)
    lessons_before = LessonPage.objects.count()

    assert client.get(add_url(LessonPage, own_course)).status_code == 200
    assert denied(client.get(add_url(LessonPage, others_course)))
    assert denied(
        client.post(add_url(LessonPage, others_course), {"title": "混进来的课时"})
    )
    assert LessonPage.objects.count() == lessons_before


def test_instructor_cannot_move_a_lesson_under_another_instructors_course(
    client, instructor, own_course, others_course
):
    draft = LessonPageFactory(
        parent=own_course, title="草稿课时", slug="draft", owner=instructor, live=False
    )
    client.force_login(instructor)

    response = client.post(
        reverse("wagtailadmin_pages:move_confirm", args=(draft.pk, others_course.pk))
    )

    assert denied(response)
    draft.refresh_from_db()
    assert draft.get_parent().pk == own_course.pk


def test_instructor_cannot_copy_a_lesson_under_another_instructors_course(
    client, instructor, own_course, others_course
):
    lesson = own_course.get_children().get()
    client.force_login(instructor)

    response = client.post(
        reverse("wagtailadmin_pages:copy", args=(lesson.pk,)),
        {
            "new_title": "复制的课时",
            "new_slug": "copied",
            "new_parent_page": others_course.pk,
        },
    )

    assert denied(response)
    assert not Page.objects.filter(slug="copied").exists()


def test_instructor_creates_no_schools_or_catalogues(
    client, instructor, grid_school, course_index
):
    client.force_login(instructor)

    assert denied(client.get(add_url(SchoolPage, Page.get_first_root_node())))
    course_index.delete()
    assert denied(client.get(add_url(CourseIndexPage, grid_school)))


def test_instructor_cannot_edit_the_school_or_catalogue(
    client, instructor, grid_school, course_index
):
    client.force_login(instructor)

    assert denied(client.get(edit_url(grid_school)))
    assert denied(client.get(edit_url(course_index)))


# Administrators ----------------------------------------------------------------


def test_administrator_approves_a_new_course_and_it_goes_live(
    client, instructor, school_admin, course_index
):
    client.force_login(instructor)
    client.post(
        add_url(CoursePage, course_index), course_form(**{"action-submit": "on"})
    )
    course = CoursePage.objects.get(slug="tuan-dui")

    client.force_login(school_admin)
    approve(client, course)

    course.refresh_from_db()
    assert course.live
    assert not course.workflow_in_progress
    assert course.owner == instructor
    assert course.live_revision.user == instructor


def test_administrator_approves_an_edit_of_a_published_course(
    client, instructor, school_admin, own_course
):
    client.force_login(instructor)
    client.post(
        edit_url(own_course),
        course_form(own_course, title="活动策划（修订版）", **{"action-submit": "on"}),
    )

    client.force_login(school_admin)
    approve(client, own_course)

    own_course.refresh_from_db()
    assert own_course.title == "活动策划（修订版）"
    assert own_course.live and not own_course.has_unpublished_changes


def test_an_instructor_cannot_approve_their_own_submission(
    client, instructor, own_course
):
    client.force_login(instructor)
    client.post(
        edit_url(own_course),
        course_form(own_course, title="自己批准", **{"action-submit": "on"}),
    )
    state = own_course.current_workflow_state
    task_state = state.current_task_state

    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(own_course.pk, "approve", task_state.pk),
        )
    )

    own_course.refresh_from_db()
    assert own_course.title == "活动策划"
    assert own_course.workflow_in_progress


def test_administrator_edits_and_publishes_any_course(
    client, school_admin, others_course
):
    client.force_login(school_admin)

    response = client.post(
        edit_url(others_course),
        course_form(
            others_course, title="应急处置（新版）", **{"action-publish": "on"}
        ),
    )

    assert response.status_code == 302
    others_course.refresh_from_db()
    assert others_course.title == "应急处置（新版）"


# Progress survives editing ----------------------------------------------------


def test_publishing_new_revisions_keeps_trainees_progress(
    school_admin, trainee, course, lessons, training_class
):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.complete_lesson(enrollment, lessons[0], actor=trainee)
    services.submit_quiz(
        enrollment, lessons[1], answers={"q0": [0], "q1": [0]}, actor=trainee
    )
    progress_before = list(
        LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_id", "completed_at"
        )
    )

    course.title = "公益理念（第二版）"
    course.save_revision(user=school_admin).publish(user=school_admin)
    for lesson in lessons:
        lesson.title = f"{lesson.title}（修订）"
        lesson.save_revision(user=school_admin).publish(user=school_admin)

    assert (
        list(
            LessonProgress.objects.filter(enrollment=enrollment).values_list(
                "lesson_id", "completed_at"
            )
        )
        == progress_before
    )
    assert enrollment.quiz_attempts.count() == 1
    # Progress keeps counting across the edit: the rest of the course completes it.
    services.submit_quiz(
        enrollment, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=trainee
    )
    services.complete_lesson(enrollment, lessons[1], actor=trainee)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
