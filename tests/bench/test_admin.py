"""How long the Wagtail page editor takes to open a lesson, against a bare view.

The lesson is what an instructor edits: a few paragraphs, a heading, and a quiz of
ten questions with four options each, in the Grid School's catalogue beside 19
other courses. The instructor owns it and opens /admin/pages/<id>/edit/. Then the
course's own editor, with a thousand more courses to choose 先修课程 from.
"""

import pytest

from courses.models import LessonPage
from school import demo, roles
from tests.bench.conftest import medians_ms
from tests.bench.test_courses import (
    BIG_CATALOGUE,
    LESSON_TEXT,
    _courses,
    _queries,
    bulk_add_children,
)
from tests.bench.urls import HELLO_PATH
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]

QUESTIONS, OPTIONS = 10, 4
COURSES_BEFORE = 20
RUNS, WARMUP = 20, 4


def _quiz(questions: int) -> dict:
    return {
        "type": "quiz",
        "value": {
            "title": "课后测验",
            "pass_mark": 60,
            "max_attempts": 3,
            "feedback": "explained",
            "questions": [
                {
                    "prompt": f"第{n + 1}题：网格员巡查时发现楼道堆物，应当怎样处理？",
                    "multiple": n % 3 == 0,
                    "choices": [
                        {"text": f"做法{o + 1}：当场劝导并记录", "is_correct": o == 0}
                        for o in range(OPTIONS)
                    ],
                    "explanation": "先劝导，再记录，必要时上报。",
                }
                for n in range(questions)
            ],
        },
    }


@pytest.fixture
def lesson_and_author():
    grid, _academy = demo.seed_schools()
    author = UserFactory(real_name="李讲师", role=roles.INSTRUCTOR)
    index = CourseIndexPageFactory(parent=grid, title="课程", slug="bench-courses")
    courses = [
        CoursePageFactory(parent=index, title=f"课程{n}", slug=f"c{n}", owner=author)
        for n in range(COURSES_BEFORE)
    ]
    body = [
        {"type": "heading", "value": {"text": "巡查", "level": "h2"}},
        *[{"type": "paragraph", "value": LESSON_TEXT}] * 4,
        _quiz(QUESTIONS),
    ]
    lesson = LessonPageFactory(
        parent=courses[0], title="第一课 巡查", slug="l1", body=body, owner=author
    )
    return LessonPage.objects.get(pk=lesson.pk), author


def test_page_editor_against_a_bare_view(client, lesson_and_author, record_figures):
    lesson, author = lesson_and_author
    client.force_login(author)

    def edit():
        response = client.get(f"/admin/pages/{lesson.pk}/edit/")
        assert response.status_code == 200
        return response

    def hello():
        response = client.get(HELLO_PATH)
        assert response.content == b"hello"

    assert "第一课 巡查" in edit().content.decode()
    medians = medians_ms({"edit": edit, "hello": hello}, runs=RUNS, warmup=WARMUP)
    record_figures(
        admin_edit_page_ms=medians["edit"],
        admin_edit_page_over_hello=medians["edit"] / medians["hello"],
        admin_edit_page_queries=_queries(edit),
    )


def test_course_editor_with_a_thousand_courses(
    client, lesson_and_author, record_figures
):
    """A course's editor lists every course as a possible 先修课程: with 1,000
    more courses in the catalogue (inserted in bulk)."""
    lesson, author = lesson_and_author
    course = lesson.get_parent()
    bulk_add_children(
        course.get_parent(),
        _courses(BIG_CATALOGUE, [None], first=COURSES_BEFORE),
    )
    client.force_login(author)

    def edit():
        response = client.get(f"/admin/pages/{course.pk}/edit/")
        assert response.status_code == 200
        return response

    def hello():
        response = client.get(HELLO_PATH)
        assert response.content == b"hello"

    assert edit().content.decode().count("<option") > BIG_CATALOGUE
    medians = medians_ms({"edit": edit, "hello": hello}, runs=RUNS, warmup=WARMUP)
    record_figures(
        admin_edit_course_1000_courses_ms=medians["edit"],
        admin_edit_course_1000_courses_over_hello=medians["edit"] / medians["hello"],
    )
