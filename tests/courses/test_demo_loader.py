"""The demo catalogue loader: Markdown course files with YAML front matter become
the Course values and StreamField blocks seed_demo publishes, and a bad file is
refused with the file and the field or line named."""

import re
from pathlib import Path

import pytest

from courses.demo.loader import (
    DEMO_COURSES_DIR,
    DemoContentError,
    load_course,
    load_courses,
)

SAMPLE = """\
---
title: 示例课程
school: volunteer_academy
tier: specialist
summary: 一门用来测试的课程。
objectives:
  - 目标一
  - 目标二
study_hours: 4
minimum_level: volunteer
featured: true
attendance_threshold: 80
lessons:
  - slug: di-yi-ke
    title: 第一课 开始
    minutes: 25
  - slug: di-er-ke
    title: 第二课 测验
    minutes: 15
    required: false
classes: 2
latest: 10
site_keyword: 邻里中心
---

# 第一课 开始

## 为什么

第一段，
接着写。

第二段有**重点**。

列表的引导语：

1. 第一步；
2. 第二步。

列表之后的一段。

> [!warning] 注意
> 安全第一。

# 第二课 测验

### 小节

```quiz pass_mark=75
1. 单选题？
   - [ ] 错
   - [x] 对

2. 多选题？
   - [x] 甲
   - [X] 乙
   - [ ] 丙
```
"""


def _write(tmp_path: Path, text: str, name: str = "01-shi-li.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(DemoContentError) as caught:
        load_course(path)
    return str(caught.value)


def test_a_course_file_becomes_the_course_and_its_lesson_blocks(tmp_path):
    course = load_course(_write(tmp_path, SAMPLE))

    assert course.slug == "shi-li"
    assert (course.school, course.tier) == ("volunteer_academy", "specialist")
    assert course.objectives == ["目标一", "目标二"]
    assert (course.minimum_level, course.is_featured) == ("volunteer", True)
    assert (course.attendance_threshold, course.prerequisites) == (80, [])
    assert (course.classes, course.latest, course.site_keyword) == (2, 10, "邻里中心")
    first, second = course.lessons
    assert (first.slug, first.title, first.minutes, first.required) == (
        "di-yi-ke",
        "第一课 开始",
        25,
        True,
    )
    assert (second.minutes, second.required) == (15, False)
    assert first.body == [
        {"type": "heading", "value": {"text": "为什么", "level": "h2"}},
        {
            "type": "paragraph",
            "value": "<p>第一段，接着写。</p><p>第二段有<b>重点</b>。</p>",
        },
        {
            "type": "paragraph",
            "value": "<p>列表的引导语：</p><ol><li>第一步；</li><li>第二步。</li></ol>",
        },
        {"type": "paragraph", "value": "<p>列表之后的一段。</p>"},
        {
            "type": "callout",
            "value": {"tone": "warning", "title": "注意", "text": "<p>安全第一。</p>"},
        },
    ]
    assert second.body == [
        {"type": "heading", "value": {"text": "小节", "level": "h3"}},
        {
            "type": "quiz",
            "value": {
                "title": "课后测验",
                "pass_mark": 75,
                "max_attempts": 3,
                "questions": [
                    {
                        "prompt": "单选题？",
                        "multiple": False,
                        "choices": [
                            {"text": "错", "is_correct": False},
                            {"text": "对", "is_correct": True},
                        ],
                    },
                    {
                        "prompt": "多选题？",
                        "multiple": True,
                        "choices": [
                            {"text": "甲", "is_correct": True},
                            {"text": "乙", "is_correct": True},
                            {"text": "丙", "is_correct": False},
                        ],
                    },
                ],
            },
        },
    ]


def test_a_missing_field_is_named_with_its_file(tmp_path):
    path = _write(tmp_path, SAMPLE.replace("study_hours: 4\n", ""))
    assert _error(path) == f"{path}: study_hours: missing"


def test_an_unknown_tier_is_refused_with_the_tiers_there_are(tmp_path):
    path = _write(tmp_path, SAMPLE.replace("tier: specialist", "tier: expert"))
    message = _error(path)
    assert message.startswith(f"{path}: tier: 'expert' is not one of basic (")
    assert "leadership" in message


def test_a_quiz_question_without_a_correct_answer_is_refused_at_its_line(tmp_path):
    path = _write(tmp_path, SAMPLE.replace("   - [x] 对", "   - [ ] 对"))
    fence_line = SAMPLE.splitlines().index("```quiz pass_mark=75") + 1
    assert _error(path) == (
        f"{path}:{fence_line}: lesson 'di-er-ke': "
        "quiz question 1 (单选题？) has no correct answer: mark one [x]"
    )


def test_lesson_headings_must_match_the_lessons_of_the_front_matter(tmp_path):
    path = _write(tmp_path, SAMPLE.replace("# 第二课 测验", "# 第二课 小测"))
    assert "must have the same titles in the same order" in _error(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("summary:", "teir: basic\nsummary:", "unknown field 'teir'"),
        ("featured: true", "featured: maybe", "featured: must be true or false"),
        ("  - slug: di-yi-ke", "  - slug: Di Yi", "lessons[1]: slug: 'Di Yi'"),
        ("> [!warning] 注意", "> [!danger] 注意", "its first line is [!info]"),
        ("1. 第一步；", "1. **“第一步”**做完；", "unmatched bold marker"),
        ("## 为什么", "#### 为什么", "a #### heading: use ## or ###"),
        ("   - [ ] 丙", "   - 丙", "is neither a question"),
        ("pass_mark=75", "pass_mark=120", "pass_mark must be a whole number 0..100"),
    ],
)
def test_other_mistakes_are_refused_with_what_to_write_instead(
    tmp_path, old, new, expected
):
    assert expected in _error(_write(tmp_path, SAMPLE.replace(old, new)))


def test_a_prerequisite_must_be_a_course_in_an_earlier_file(tmp_path):
    _write(tmp_path, SAMPLE, "01-shi-li.md")
    later = _write(
        tmp_path,
        SAMPLE.replace("study_hours: 4", "study_hours: 4\nprerequisites: [wei-zhi]"),
        "02-jin-jie.md",
    )
    with pytest.raises(DemoContentError, match=re.escape(f"{later}: prerequisites")):
        load_courses(tmp_path)


def test_the_demo_folder_holds_both_catalogues_in_order():
    courses = load_courses(DEMO_COURSES_DIR)
    assert [course.slug for course in courses][:2] == [
        "wangge-gongzuo-guifan",
        "qunzhong-gongzuo-goutong",
    ]
    assert {course.school for course in courses} == {"grid_school", "volunteer_academy"}
    assert sum(len(course.lessons) for course in courses) == 42
