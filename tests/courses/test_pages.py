"""Wagtail's page tests for the course pages: where each may live, that the admin
creates it from valid form data, and that it renders for a trainee."""

from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

from courses import services
from courses.models import CourseIndexPage, CoursePage, LessonPage, Tier
from school.models import Level, SchoolPage
from tests.courses.factories import CourseIndexPageFactory, paragraph_body, quiz_body

pytestmark = pytest.mark.django_db


def list_block(items: list) -> dict:
    """ListBlock form data, as the admin's list editor posts it."""
    data = {
        str(index): {"value": item, "deleted": "", "order": str(index), "id": ""}
        for index, item in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def quiz_form_value(*, first_question_correct: tuple[int, ...] = (0,)) -> dict:
    """A quiz block's form value: one single-choice and one multiple-choice question."""
    return {
        "title": "课后测验",
        "pass_mark": "60",
        "max_attempts": "3",
        "feedback": "explained",
        "questions": list_block(
            [
                {
                    "prompt": "志愿服务应遵循的原则是？",
                    "multiple": False,
                    "choices": list_block(
                        [
                            {
                                "text": "自愿、无偿、平等、诚信、合法",
                                "is_correct": 0 in first_question_correct,
                            },
                            {
                                "text": "有偿、强制",
                                "is_correct": 1 in first_question_correct,
                            },
                        ]
                    ),
                },
                {
                    "prompt": "服务老年人时应当？",
                    "multiple": True,
                    "explanation": "替老人做完，不如陪老人学会。",
                    "choices": list_block(
                        [
                            {"text": "放慢语速", "is_correct": True},
                            {"text": "替老人操作完事", "is_correct": False},
                            {"text": "一次只说一件事", "is_correct": True},
                        ]
                    ),
                },
            ]
        ),
    }


def add_page(client, model: type[Page], parent: Page, data: dict, **multiple):
    """POST the admin's "add page" form and publish. `multiple` holds the fields
    that post several values (nested_form_data would number a list's items)."""
    url = f"/admin/pages/add/courses/{model._meta.model_name}/{parent.pk}/"
    form_data = nested_form_data({**data, "action-publish": "publish"})
    return client.post(url, {**form_data, **multiple})


def form_errors(response) -> str:
    context = response.context or {}
    form = context.get("form")
    return str(form.errors) if form is not None else f"status {response.status_code}"


# --- where each page may live -------------------------------------------------------


def test_a_catalogue_sits_directly_under_a_school_and_holds_only_courses(grid_school):
    assert CourseIndexPage.allowed_parent_page_models() == [SchoolPage]
    assert CourseIndexPage.allowed_subpage_models() == [CoursePage]
    assert CourseIndexPage.can_create_at(grid_school)
    assert not CourseIndexPage.can_create_at(Page.get_first_root_node())


def test_a_school_has_one_catalogue(grid_school, volunteer_academy):
    CourseIndexPageFactory(parent=grid_school, slug="courses")
    grid_school.refresh_from_db()
    assert not CourseIndexPage.can_create_at(grid_school)
    assert CourseIndexPage.can_create_at(volunteer_academy)


def test_a_course_sits_only_in_a_catalogue_and_holds_only_lessons(
    grid_school, course_index, course
):
    assert CoursePage.allowed_parent_page_models() == [CourseIndexPage]
    assert CoursePage.allowed_subpage_models() == [LessonPage]
    assert CoursePage.can_create_at(course_index)
    assert not CoursePage.can_create_at(grid_school)
    assert not CoursePage.can_create_at(course)


def test_a_lesson_sits_only_in_a_course_and_holds_nothing(course_index, course):
    assert LessonPage.allowed_parent_page_models() == [CoursePage]
    assert LessonPage.allowed_subpage_models() == []
    assert LessonPage.can_create_at(course)
    assert not LessonPage.can_create_at(course_index)


# --- created through the admin -------------------------------------------------------


def test_administrator_creates_a_catalogue(admin_client, volunteer_academy):
    response = add_page(
        admin_client,
        CourseIndexPage,
        volunteer_academy,
        {"title": "课程", "slug": "courses", "intro": "志愿者培训学院的全部课程。"},
    )
    assert response.status_code == 302, form_errors(response)
    index = CourseIndexPage.objects.get(slug="courses")
    assert index.live and index.live_revision is not None
    assert index.get_parent().pk == volunteer_academy.pk


def test_administrator_creates_a_course_with_a_prerequisite(
    admin_client, course_index, course
):
    response = add_page(
        admin_client,
        CoursePage,
        course_index,
        {
            "title": "资源整合",
            "slug": "ziyuan-zhenghe",
            "tier": Tier.LEADERSHIP,
            "summary": "绘制社区资源地图，推动“五社联动”。",
            "objectives": "绘制社区资源地图\n链接共建单位",
            "study_hours": "12",
            "is_featured": "on",
            "minimum_level": Level.TALENT,
            "attendance_threshold": "80",
        },
        prerequisites=[str(course.pk)],
    )
    assert response.status_code == 302, form_errors(response)
    created = CoursePage.objects.get(slug="ziyuan-zhenghe")
    assert created.live
    assert created.get_parent().pk == course_index.pk
    assert created.tier == Tier.LEADERSHIP and created.is_featured
    assert created.minimum_level == Level.TALENT
    assert list(created.prerequisites.all()) == [course]
    assert created.objective_list == ["绘制社区资源地图", "链接共建单位"]


def test_a_course_needs_a_tier_and_a_summary(admin_client, course_index):
    response = add_page(
        admin_client,
        CoursePage,
        course_index,
        {
            "title": "没有层级的课程",
            "slug": "no-tier",
            "study_hours": "2",
            "minimum_level": Level.RESIDENT,
            "attendance_threshold": "0",
        },
    )
    assert response.status_code == 200
    assert {"tier", "summary"} <= set(response.context["form"].errors)
    assert not CoursePage.objects.filter(slug="no-tier").exists()


def test_administrator_creates_a_lesson_ending_in_a_quiz(admin_client, course):
    response = add_page(
        admin_client,
        LessonPage,
        course,
        {
            "title": "第三课 特殊人群服务礼仪",
            "slug": "teshu-renqun",
            "is_required": "on",
            "estimated_minutes": "25",
            "body": streamfield(
                [
                    ("heading", {"text": "老年人", "level": "h2"}),
                    ("paragraph", rich_text("<p>说话放慢语速，一次只说一件事。</p>")),
                    (
                        "callout",
                        {
                            "tone": "info",
                            "title": "尊重比热情更重要",
                            "text": rich_text("<p>帮助之前先询问。</p>"),
                        },
                    ),
                    ("quiz", quiz_form_value()),
                ]
            ),
        },
    )
    assert response.status_code == 302, form_errors(response)
    lesson = LessonPage.objects.get(slug="teshu-renqun")
    assert lesson.live and lesson.get_parent().pk == course.pk
    assert [block.block_type for block in lesson.body] == [
        "heading",
        "paragraph",
        "callout",
        "quiz",
    ]
    assert lesson.has_quiz
    quiz = lesson.quiz
    assert quiz["pass_mark"] == 60 and quiz["max_attempts"] == 3
    assert [q["multiple"] for q in quiz["questions"]] == [False, True]
    assert [c["is_correct"] for c in quiz["questions"][1]["choices"]] == [
        True,
        False,
        True,
    ]
    assert quiz["feedback"] == "explained"
    assert [q["explanation"] for q in quiz["questions"]] == [
        "",
        "替老人做完，不如陪老人学会。",
    ]


def test_a_lesson_has_a_quiz_as_its_published_body_has_one(lessons):
    first, second = lessons

    def stored() -> bool:
        return LessonPage.objects.values_list("has_quiz", flat=True).get(pk=second.pk)

    assert (first.has_quiz, stored()) == (False, True)
    second.body = paragraph_body()
    second.save_revision()
    assert stored()  # a draft without the quiz: the published lesson still has it
    second.get_latest_revision().publish()
    assert not stored()
    second.body = quiz_body()
    second.save_revision().publish()
    assert stored()


def test_a_single_choice_question_with_two_answers_is_refused(admin_client, course):
    response = add_page(
        admin_client,
        LessonPage,
        course,
        {
            "title": "错误的测验",
            "slug": "bad-quiz",
            "estimated_minutes": "20",
            "body": streamfield(
                [("quiz", quiz_form_value(first_question_correct=(0, 1)))]
            ),
        },
    )
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not LessonPage.objects.filter(slug="bad-quiz").exists()


# --- rendered for a trainee ------------------------------------------------------


def test_the_catalogue_renders_for_a_trainee(client, trainee, course_index, course):
    client.force_login(trainee)
    response = client.get(course_index.url)
    assert response.status_code == 200
    assert course.title in response.content.decode()


def test_a_course_renders_for_a_trainee(client, trainee, course, lessons):
    client.force_login(trainee)
    response = client.get(course.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert course.title in content
    assert lessons[0].title in content


def test_a_lesson_renders_for_an_enrolled_trainee(
    client, trainee, training_class, lessons
):
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    client.force_login(trainee)
    response = client.get(lessons[1].url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "服务礼仪的要点。" in content
    assert "志愿服务的基本原则包括？" in content  # the quiz's questions are shown
    assert "is_correct" not in content  # and never its answers


def test_a_password_on_the_catalogue_guards_its_courses_and_lessons(
    client, trainee, training_class, course_index, course, lessons
):
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    PageViewRestriction.objects.create(
        page=course_index,
        restriction_type=PageViewRestriction.PASSWORD,
        password="geheim",
    )
    client.force_login(trainee)
    for page in (course_index, course, lessons[1]):
        response = client.get(page.url)
        assert "wagtailcore/password_required.html" in [
            template.name for template in response.templates
        ], page.url
        assert "志愿服务的基本原则包括？" not in response.content.decode()


def test_an_alias_of_a_course_keeps_the_password_of_its_source(
    client, trainee, course, volunteer_academy
):
    other_catalogue = CourseIndexPageFactory(
        parent=volunteer_academy, title="课程", slug="courses"
    )
    alias = course.create_alias(parent=other_catalogue)
    PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )
    client.force_login(trainee)
    response = client.get(alias.url)
    assert "wagtailcore/password_required.html" in [
        template.name for template in response.templates
    ]
