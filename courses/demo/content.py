"""The shape of the demo catalogue: a course, its lessons, and the StreamField
block values a lesson body is made of.

The catalogue itself is data, one Markdown file per course under the top-level
`demo/courses/` folder, read by `courses.demo.loader`. `seed` in courses.demo
turns it into pages and classes; nothing here touches the database.
"""

from dataclasses import dataclass, field

from school.models import Level

QUIZ_TITLE = "课后测验"
PASS_MARK = 60
MAX_ATTEMPTS = 3


def heading(text: str, level: str = "h2") -> dict:
    """A `heading` block."""
    return {"type": "heading", "value": {"text": text, "level": level}}


def paragraph(html: str) -> dict:
    """A `paragraph` (rich text) block: `<p>`, `<ul>` and `<ol>` elements."""
    return {"type": "paragraph", "value": html}


def callout(title: str, html: str, *, tone: str = "info") -> dict:
    """A `callout` block; `html` is its text as `<p>` elements."""
    return {"type": "callout", "value": {"tone": tone, "title": title, "text": html}}


def question(prompt: str, choices: list[tuple[str, bool]]) -> dict:
    """A quiz question from (text, is_correct) pairs. More than one correct
    answer makes it a multiple-choice question."""
    options = [{"text": text, "is_correct": correct} for text, correct in choices]
    correct = sum(1 for option in options if option["is_correct"])
    return {"prompt": prompt, "multiple": correct > 1, "choices": options}


def quiz(
    questions: list[dict],
    *,
    title: str = QUIZ_TITLE,
    pass_mark: int = PASS_MARK,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict:
    """A `quiz` block."""
    return {
        "type": "quiz",
        "value": {
            "title": title,
            "pass_mark": pass_mark,
            "max_attempts": max_attempts,
            "questions": questions,
        },
    }


@dataclass(frozen=True)
class Lesson:
    """One lesson: its page fields and its body as StreamField block values."""

    slug: str
    title: str
    minutes: int
    body: list[dict]
    required: bool = True


@dataclass(frozen=True)
class Course:
    """One demo course and how many training classes it has run.

    `latest` is when its most recent class starts, in days from today: negative
    for an online class already under way (enrolment still open), a few days ahead
    for one taking enrolments now, further ahead for one that has not opened yet.
    """

    school: str
    slug: str
    title: str
    tier: str
    summary: str
    objectives: list[str]
    study_hours: int
    lessons: list[Lesson]
    classes: int
    latest: int
    prerequisites: list[str] = field(default_factory=list)
    minimum_level: str = Level.RESIDENT
    is_featured: bool = False
    attendance_threshold: int = 0
    site_keyword: str = ""  # classes held at practice sites whose name has this
