"""导入题库: a sheet of questions appended to a lesson's quiz as a new draft
revision; a sheet with a bad row saves nothing and lists every bad row; only those
who may edit the lesson reach the page."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from openpyxl import Workbook

from courses.blocks import QuestionBlock
from courses.models import LessonPage
from courses.question_bank import UnreadableFile, check_question_bank
from school import roles
from tests.courses.factories import LessonPageFactory, quiz_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["题目", "选项", "答案", "解析"]
GOOD_ROWS = [
    [
        "垃圾分类中，废电池属于？",
        "可回收物\n有害垃圾\n厨余垃圾",
        "B",
        "废电池含重金属。",
    ],
    ["网格员巡查时应关注？", "消防通道｜楼道堆物｜天气预报", "A,B", ""],
    ["遇到居民投诉，首先应当？", "耐心倾听|推给别人", "耐心倾听", ""],
]


def xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows: list[list[str]], name: str = "题库.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows))


@pytest.fixture
def lesson(course, instructor) -> LessonPage:
    """A published lesson with a two-question quiz, owned by the instructor."""
    return LessonPageFactory(
        parent=course,
        title="第二课 服务礼仪",
        slug="l2",
        body=quiz_body(),
        owner=instructor,
    )


def url(lesson: LessonPage) -> str:
    return reverse("courses_import_questions", args=[lesson.pk])


def draft_quiz(lesson: LessonPage) -> dict:
    return LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().quiz


def test_a_good_sheet_reads_as_questions_with_their_right_options():
    bank = check_question_bank(xlsx([HEADER, *GOOD_ROWS]), "题库.xlsx")

    assert bank.ok and bank.errors == []
    first, second, third = bank.questions
    assert [c["text"] for c in first["choices"]] == ["可回收物", "有害垃圾", "厨余垃圾"]
    assert [c["is_correct"] for c in first["choices"]] == [False, True, False]
    assert first["multiple"] is False and first["explanation"] == "废电池含重金属。"
    assert [c["is_correct"] for c in second["choices"]] == [True, True, False]
    assert second["multiple"] is True
    assert [c["is_correct"] for c in third["choices"]] == [True, False]


def test_a_csv_in_gb18030_reads_as_excel_saves_it():
    content = "题目,选项,答案\n社区在哪一级之下？,街道|区,A\n".encode("gb18030")

    bank = check_question_bank(content, "题库.csv")

    assert bank.ok and bank.questions[0]["prompt"] == "社区在哪一级之下？"


def test_every_bad_row_is_named_with_its_reason_and_no_question_is_kept():
    rows = [
        HEADER,
        GOOD_ROWS[0],
        ["", "甲|乙", "A", ""],
        ["只有一个选项？", "甲", "A", ""],
        ["答案超出？", "甲|乙", "C", ""],
        ["没有答案？", "甲|乙", "", ""],
        ["答案不是字母？", "甲|乙", "丙", ""],
    ]

    bank = check_question_bank(xlsx(rows), "题库.xlsx")

    assert not bank.ok and bank.questions == []
    assert [error.row for error in bank.errors] == [3, 4, 5, 6, 7]
    assert str(bank.errors[0]) == "第 3 行：题目为空"
    assert "两个选项" in bank.errors[1].reason
    assert "超出" in bank.errors[2].reason


def test_a_sheet_without_the_answer_column_is_refused_as_a_whole():
    with pytest.raises(UnreadableFile, match="答案"):
        check_question_bank(xlsx([["题目", "选项"], ["问？", "甲|乙"]]), "题库.xlsx")


def test_importing_appends_the_questions_in_a_new_draft_revision_by_the_editor(
    client, lesson, instructor
):
    client.force_login(instructor)
    revisions = lesson.revisions.count()

    response = client.post(url(lesson), {"file": upload([HEADER, *GOOD_ROWS])})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    lesson.refresh_from_db()
    assert lesson.revisions.count() == revisions + 1
    assert lesson.latest_revision.user == instructor
    assert lesson.has_unpublished_changes
    quiz = draft_quiz(lesson)
    assert [q["prompt"] for q in quiz["questions"]][2:] == [r[0] for r in GOOD_ROWS]
    assert len(lesson.quiz["questions"]) == 2  # the live lesson is unchanged


def test_a_lesson_without_a_quiz_gets_one_with_pass_mark_60_and_3_attempts(
    client, course, instructor
):
    lesson = LessonPageFactory(parent=course, slug="l1", owner=instructor)
    client.force_login(instructor)

    client.post(url(lesson), {"file": upload([HEADER, *GOOD_ROWS])})

    quiz = draft_quiz(lesson)
    assert (quiz["pass_mark"], quiz["max_attempts"]) == (60, 3)
    assert len(quiz["questions"]) == 3


def test_a_sheet_with_a_bad_row_lists_it_and_saves_nothing(client, lesson, instructor):
    client.force_login(instructor)
    revisions = lesson.revisions.count()

    response = client.post(
        url(lesson),
        {"file": upload([HEADER, GOOD_ROWS[0], ["问？", "甲|乙", "Z", ""]])},
    )

    assert response.status_code == 200
    assert "第 3 行：答案 Z 超出了选项个数（共 2 个）" in response.content.decode()
    assert lesson.revisions.count() == revisions
    assert len(draft_quiz(lesson)["questions"]) == 2


def test_showing_the_form_changes_nothing(client, lesson, instructor):
    client.force_login(instructor)
    revisions = lesson.revisions.count()

    response = client.get(url(lesson))

    assert response.status_code == 200
    assert "导入题库" in response.content.decode()
    assert lesson.revisions.count() == revisions


def test_the_lessons_edit_view_offers_the_import(client, lesson, instructor):
    client.force_login(instructor)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))

    assert url(lesson) in response.content.decode()


def test_an_instructor_who_may_not_edit_the_lesson_gets_a_404(client, lesson, grid):
    other = UserFactory(real_name="周讲师", org_unit=grid, role=roles.INSTRUCTOR)
    client.force_login(other)
    revisions = lesson.revisions.count()

    assert client.get(url(lesson)).status_code == 404
    response = client.post(url(lesson), {"file": upload([HEADER, *GOOD_ROWS])})

    assert response.status_code == 404
    assert lesson.revisions.count() == revisions


def test_a_trainee_never_reaches_the_import(client, lesson, trainee):
    client.force_login(trainee)
    revisions = lesson.revisions.count()

    response = client.post(url(lesson), {"file": upload([HEADER, *GOOD_ROWS])})

    assert response.status_code in (302, 403, 404)
    assert lesson.revisions.count() == revisions


def test_a_new_question_starts_with_two_empty_options():
    choices = QuestionBlock().get_default()["choices"]

    assert [(c["text"], c["is_correct"]) for c in choices] == [("", False)] * 2


def test_the_editor_loads_the_compact_quiz_style(client, lesson, instructor):
    client.force_login(instructor)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))

    assert "courses/admin/quiz-editor.css" in response.content.decode()
