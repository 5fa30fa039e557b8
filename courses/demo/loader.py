"""Read the demo catalogue from `demo/courses/*.md` into `Course` values.

One file per course, named `NN-slug.md`: the number orders the catalogue
(prerequisites first), the rest is the course's slug. The YAML front matter holds
the course's fields and its lessons; the Markdown below it holds one section per
lesson, opened by a `# ` heading with the lesson's title. `demo/README.md`
describes the format for the people who edit it.

A lesson body becomes the StreamField blocks a lesson page stores:

- `## ` / `### ` headings become `heading` blocks (h2 / h3);
- paragraphs and lists become `paragraph` blocks: paragraphs in a row share one
  block, and a list joins the paragraph that introduces it in a block of its own;
- a quote opened by `[!info] 标题` or `[!warning] 标题` becomes a `callout`;
- a fenced block with the info string `quiz` becomes the lesson's `quiz`.

Anything else is refused with the file, line or field named: a file that loads
is a catalogue `seed_demo` can publish.
"""

import functools
import re
import shlex
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from courses.blocks import LessonBodyBlock
from courses.demo.content import (
    MAX_ATTEMPTS,
    PASS_MARK,
    QUIZ_TITLE,
    Course,
    Lesson,
    callout,
    heading,
    paragraph,
    question,
    quiz,
)
from courses.models import Tier
from school.models import Level, SchoolPage

# Demo data is read from the repository checkout (BASE_DIR is its root), next to
# manage.py; `pip install .` packages the code only, not the demo/ folder.
DEMO_COURSES_DIR = Path(settings.BASE_DIR) / "demo" / "courses"

FILE_NAME = re.compile(r"^\d+-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
LESSON_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CALLOUT_MARK = re.compile(r"^\[!(?P<tone>[A-Za-z]+)\]\s*(?P<title>.*)$")
QUESTION_LINE = re.compile(r"^\s*\d+(?:\.\s+|、\s*)(?P<prompt>\S.*)$")
CHOICE_LINE = re.compile(r"^\s*[-*]\s+\[(?P<mark>[ xX])\]\s+(?P<text>\S.*)$")
# A line break inside a paragraph: nothing between two CJK characters, a space
# between words of a language that uses them.
SOFT_BREAK_IN_CJK = re.compile(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])")

CALLOUT_TONES = ("info", "warning")
HEADING_LEVELS = {"h2": "h2", "h3": "h3"}
INLINE_TAGS = {
    "strong_open": "<b>",
    "strong_close": "</b>",
    "em_open": "<i>",
    "em_close": "</i>",
    "link_close": "</a>",
    "hardbreak": "<br/>",
}
COURSE_KEYS = {
    "title",
    "school",
    "tier",
    "summary",
    "objectives",
    "study_hours",
    "prerequisites",
    "minimum_level",
    "featured",
    "attendance_threshold",
    "lessons",
    "classes",
    "latest",
    "site_keyword",
}
LESSON_KEYS = {"slug", "title", "minutes", "required"}
QUIZ_SETTINGS = {"title", "pass_mark", "max_attempts"}
SUPPORTED = (
    "a lesson holds ## and ### headings, paragraphs, lists, "
    "> [!info] callouts and one ```quiz block"
)

_markdown = MarkdownIt("commonmark", {"html": False})
_MISSING = object()


class DemoContentError(ValueError):
    """A demo course file that cannot be loaded; the message names the file and
    the field or line at fault."""


@functools.cache
def demo_courses() -> list[Course]:
    """The catalogue in `demo/courses/`, read once per process."""
    return load_courses(DEMO_COURSES_DIR)


def load_courses(directory: Path) -> list[Course]:
    """Every course file in `directory`, in file-name order. A prerequisite must
    name a course that comes earlier, so courses can be created in this order."""
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise DemoContentError(f"{directory}: no course files (NN-slug.md) found")
    courses: list[Course] = []
    for path in paths:
        course = load_course(path)
        known = {earlier.slug for earlier in courses}
        if course.slug in known:
            raise DemoContentError(
                f"{path}: a course with slug {course.slug!r} came before"
            )
        for slug in course.prerequisites:
            if slug not in known:
                raise DemoContentError(
                    f"{path}: prerequisites: {slug!r} is not a course in an earlier "
                    "file (files load in name order)"
                )
        courses.append(course)
    return courses


def load_course(path: Path) -> Course:
    """One course file: front matter checked field by field, lessons parsed."""
    match = FILE_NAME.match(path.name)
    if match is None:
        raise DemoContentError(
            f"{path}: the file name must be NN-slug.md (e.g. 01-gongyi-linian.md), "
            "with a slug of lower-case letters, digits and hyphens"
        )
    front_matter, body, body_line = _split_front_matter(path)
    fields = _Fields(front_matter, where=str(path))
    fields.refuse_unknown(COURSE_KEYS)
    specs = [
        _lesson_spec(item, where=f"{path}: lessons[{number}]")
        for number, item in enumerate(fields.items("lessons"), start=1)
    ]
    course = Course(
        school=fields.choice("school", SchoolPage.Kind),
        slug=match["slug"],
        title=fields.text("title"),
        tier=fields.choice("tier", Tier),
        summary=fields.text("summary"),
        objectives=fields.texts("objectives"),
        study_hours=fields.integer("study_hours", minimum=1),
        lessons=_lessons(specs, body, path=path, first_line=body_line),
        classes=fields.integer("classes", minimum=1),
        latest=fields.integer("latest"),
        prerequisites=fields.texts("prerequisites", default=[]),
        minimum_level=fields.choice("minimum_level", Level, default=Level.RESIDENT),
        is_featured=fields.flag("featured", default=False),
        attendance_threshold=fields.integer(
            "attendance_threshold", minimum=0, maximum=100, default=0
        ),
        site_keyword=fields.text("site_keyword", default=""),
    )
    if not course.lessons:
        raise DemoContentError(f"{path}: lessons: a course needs at least one lesson")
    return course


# --- front matter -----------------------------------------------------------------


def _split_front_matter(path: Path) -> tuple[dict, str, int]:
    """The YAML between the opening `---` line and the next one, the Markdown
    after it, and the file line the Markdown starts on."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise DemoContentError(f"{path}: the file must start with a '---' line")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise DemoContentError(f"{path}: the front matter has no closing '---' line")
    try:
        data = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise DemoContentError(
            f"{path}: the front matter is not valid YAML: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise DemoContentError(
            f"{path}: the front matter must be a set of `field: value` lines"
        )
    return data, "".join(lines[end + 1 :]), end + 2


@dataclass
class _Fields:
    """Typed reads of a YAML mapping; every error names the file and the field."""

    data: dict
    where: str

    def refuse_unknown(self, known: set[str]) -> None:
        unknown = sorted(str(key) for key in self.data if key not in known)
        if unknown:
            raise DemoContentError(
                f"{self.where}: unknown field {unknown[0]!r} "
                f"(the fields are: {', '.join(sorted(known))})"
            )

    def _get(self, key: str, default: Any) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                raise DemoContentError(f"{self.where}: {key}: missing")
            return default
        return value

    def _error(self, key: str, problem: str) -> DemoContentError:
        return DemoContentError(f"{self.where}: {key}: {problem}")

    def text(self, key: str, *, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str) or (not value.strip() and default is _MISSING):
            raise self._error(key, f"must be some text, not {value!r}")
        return value.strip()

    def texts(self, key: str, *, default: Any = _MISSING) -> list[str]:
        value = self._get(key, default)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self._error(key, "must be a list of texts, one `- item` a line")
        return [item.strip() for item in value]

    def items(self, key: str) -> list[dict]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise self._error(key, "must be a list of `- slug: …` entries")
        return value

    def integer(
        self,
        key: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        default: Any = _MISSING,
    ) -> int:
        value = self._get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._error(key, f"must be a whole number, not {value!r}")
        if (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum
        ):
            raise self._error(key, f"{value} is outside {minimum}..{maximum}")
        return value

    def flag(self, key: str, *, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self._error(key, f"must be true or false, not {value!r}")
        return value

    def choice(self, key: str, choices, *, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if value not in choices.values:
            allowed = ", ".join(f"{code} ({label})" for code, label in choices.choices)
            raise self._error(key, f"{value!r} is not one of {allowed}")
        return str(value)


@dataclass(frozen=True)
class _LessonSpec:
    slug: str
    title: str
    minutes: int
    required: bool


def _lesson_spec(item: dict, *, where: str) -> _LessonSpec:
    fields = _Fields(item, where=where)
    fields.refuse_unknown(LESSON_KEYS)
    slug = fields.text("slug")
    if not LESSON_SLUG.match(slug):
        raise DemoContentError(
            f"{where}: slug: {slug!r} must be lower-case letters, digits and hyphens"
        )
    return _LessonSpec(
        slug=slug,
        title=fields.text("title"),
        minutes=fields.integer("minutes", minimum=1, maximum=600),
        required=fields.flag("required", default=True),
    )


# --- lessons ----------------------------------------------------------------------


def _lessons(
    specs: list[_LessonSpec], body: str, *, path: Path, first_line: int
) -> list[Lesson]:
    """Pair each lesson of the front matter with its `# title` section, in order."""
    slugs = [spec.slug for spec in specs]
    duplicate = next((slug for slug in slugs if slugs.count(slug) > 1), None)
    if duplicate:
        raise DemoContentError(f"{path}: lessons: slug {duplicate!r} appears twice")
    sections = _sections(_markdown.parse(body), where=str(path), first_line=first_line)
    listed = [spec.title for spec in specs]
    written = [title for title, _, _ in sections]
    if listed != written:
        raise DemoContentError(
            f"{path}: the lessons in the front matter ({' / '.join(listed)}) and the "
            f"'# ' lesson headings below it ({' / '.join(written) or 'none'}) must "
            "have the same titles in the same order"
        )
    lessons = []
    for spec, (_, tokens, line) in zip(specs, sections, strict=True):
        blocks = _Blocks(f"{path}", first_line, lesson=spec.slug).build(tokens)
        if not blocks:
            raise DemoContentError(
                f"{path}:{line}: lesson {spec.slug!r} has no content"
            )
        _check_body(blocks, where=f"{path}:{line}: lesson {spec.slug!r}")
        lessons.append(
            Lesson(spec.slug, spec.title, spec.minutes, blocks, spec.required)
        )
    return lessons


def _check_body(blocks: list[dict], *, where: str) -> None:
    """Hold the body to LessonPage.body's own rules (lengths, counts, answers)."""
    stream = LessonBodyBlock()
    try:
        stream.clean(stream.to_python(blocks))
    except ValidationError as exc:
        data = exc.as_json_data() if hasattr(exc, "as_json_data") else {}
        problems = [
            f"{blocks[index]['type']} block {index + 1}{path}: {message}"
            for index, errors in data.get("blockErrors", {}).items()
            for path, message in _flatten(errors)
        ]
        raise DemoContentError(f"{where}: {'; '.join(problems) or exc}") from exc


def _flatten(errors: dict, path: str = "") -> list[tuple[str, str]]:
    """Wagtail's nested block errors as (" › field › 2", message) pairs."""
    found = [(path, message) for message in errors.get("messages", [])]
    for key, inner in errors.get("blockErrors", {}).items():
        step = key + 1 if isinstance(key, int) else key
        found += _flatten(inner, f"{path} › {step}")
    return found


def _sections(
    tokens: list[Token], *, where: str, first_line: int
) -> list[tuple[str, list[Token], int]]:
    """Split a file's Markdown at its `# ` headings: (title, tokens, line) each."""
    sections: list[tuple[str, list[Token], int]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.tag == "h1":
            line = first_line + token.map[0]
            sections.append((tokens[index + 1].content.strip(), [], line))
            index += 3
            continue
        if not sections:
            line = first_line + token.map[0] if token.map else first_line
            raise DemoContentError(
                f"{where}:{line}: text before the first '# ' lesson heading"
            )
        sections[-1][1].append(token)
        index += 1
    return sections


class _Blocks:
    """Turns the Markdown tokens of one lesson into StreamField block values."""

    def __init__(self, where: str, first_line: int, *, lesson: str = "") -> None:
        self.where = where
        self.first_line = first_line
        self.lesson = lesson
        self.blocks: list[dict] = []
        self.paragraphs: list[str] = []  # the `<p>`s of the paragraph block under way

    def error(self, token: Token, problem: str) -> DemoContentError:
        line = f":{self.first_line + token.map[0]}" if token.map else ""
        lesson = f" lesson {self.lesson!r}:" if self.lesson else ""
        return DemoContentError(f"{self.where}{line}:{lesson} {problem}")

    def build(self, tokens: list[Token]) -> list[dict]:
        index = 0
        while index < len(tokens):
            end = _closing(tokens, index)
            self.add(tokens[index], tokens[index + 1 : end])
            index = end + 1
        self.flush()
        if sum(1 for block in self.blocks if block["type"] == "quiz") > 1:
            raise self.error(tokens[0], "a lesson has at most one ```quiz block")
        return self.blocks

    def flush(self) -> None:
        if self.paragraphs:
            self.blocks.append(paragraph("".join(self.paragraphs)))
            self.paragraphs = []

    def add(self, token: Token, inner: list[Token]) -> None:
        if token.type == "paragraph_open":
            self.paragraphs.append(f"<p>{self.inline(inner[0])}</p>")
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            # The sentence that introduces a list shares its block; a list ends it.
            intro = self.paragraphs.pop() if self.paragraphs else ""
            self.flush()
            self.paragraphs = [intro + self.list_html(token, inner)]
            self.flush()
        elif token.type == "heading_open":
            level = HEADING_LEVELS.get(token.tag)
            if level is None:
                raise self.error(token, f"a {token.markup} heading: use ## or ###")
            self.flush()
            self.blocks.append(heading(inner[0].content.strip(), level))
        elif token.type == "blockquote_open":
            self.flush()
            self.blocks.append(self.callout_block(token, inner))
        elif token.type == "fence" and token.info.split()[:1] == ["quiz"]:
            self.flush()
            self.blocks.append(self.quiz_block(token))
        else:
            kind = token.type.removesuffix("_open")
            if token.type == "fence":
                kind = f"a ```{token.info} block"
            raise self.error(token, f"{kind}: {SUPPORTED}")

    def list_html(self, token: Token, inner: list[Token]) -> str:
        items: list[list[str]] = []
        for item in inner:
            if item.type == "list_item_open":
                items.append([])
            elif item.type == "inline" and item.level == token.level + 3:
                items[-1].append(self.inline(item))
            elif item.type not in (
                "list_item_close",
                "paragraph_open",
                "paragraph_close",
            ):
                raise self.error(token, "a list item is one paragraph: no nested lists")
        if any(len(texts) != 1 for texts in items):
            raise self.error(
                token, "a list item is one paragraph: no blank line inside"
            )
        html = "".join(f"<li>{texts[0]}</li>" for texts in items)
        return f"<{token.tag}>{html}</{token.tag}>"

    def callout_block(self, token: Token, inner: list[Token]) -> dict:
        texts = [item for item in inner if item.type == "inline"]
        if any(
            item.type not in ("inline", "paragraph_open", "paragraph_close")
            for item in inner
        ):
            raise self.error(token, "a callout holds paragraphs only")
        first = (texts[0].children or []) if texts else []
        breaks = [i for i, child in enumerate(first) if child.type == "softbreak"]
        cut = breaks[0] if breaks else len(first)
        mark = "".join(child.content for child in first[:cut])
        match = CALLOUT_MARK.match(mark)
        if match is None or match["tone"].lower() not in CALLOUT_TONES:
            raise self.error(
                token,
                "a quote is a callout: its first line is [!info] 标题 or "
                f"[!warning] 标题, not {mark!r}",
            )
        paragraphs = [self.render(first[cut + 1 :])] if breaks else []
        paragraphs += [self.inline(item) for item in texts[1:]]
        if not any(paragraphs):
            raise self.error(token, "the callout has no text below its [!tone] line")
        html = "".join(f"<p>{text}</p>" for text in paragraphs if text)
        return callout(match["title"].strip(), html, tone=match["tone"].lower())

    def quiz_block(self, token: Token) -> dict:
        settings_ = {
            "title": QUIZ_TITLE,
            "pass_mark": PASS_MARK,
            "max_attempts": MAX_ATTEMPTS,
        }
        for word in shlex.split(token.info)[1:]:
            key, _, value = word.partition("=")
            if key not in QUIZ_SETTINGS or not value:
                raise self.error(
                    token,
                    f"quiz: {word!r}: write title=…, pass_mark=… or max_attempts=…",
                )
            settings_[key] = value
        pass_mark = self.number(token, "pass_mark", settings_["pass_mark"], 0, 100)
        attempts = self.number(token, "max_attempts", settings_["max_attempts"], 1, 20)
        questions: list[tuple[str, list[tuple[str, bool]]]] = []
        for offset, line in enumerate(token.content.splitlines(), start=1):
            if not line.strip():
                continue
            if match := QUESTION_LINE.match(line):
                questions.append((match["prompt"].strip(), []))
            elif (match := CHOICE_LINE.match(line)) and questions:
                questions[-1][1].append((match["text"].strip(), match["mark"] != " "))
            else:
                raise self.error(
                    token,
                    f"quiz line {offset}: {line.strip()!r} is neither a question "
                    "(1. 题目) nor a choice below one (   - [x] 对 / - [ ] 错)",
                )
        if not questions:
            raise self.error(token, "the quiz has no questions")
        for number, (prompt, choices) in enumerate(questions, start=1):
            if len(choices) < 2:
                raise self.error(
                    token,
                    f"quiz question {number} ({prompt}) needs two choices or more",
                )
            if not any(correct for _, correct in choices):
                raise self.error(
                    token,
                    f"quiz question {number} ({prompt}) has no correct answer: mark one [x]",
                )
        return quiz(
            [question(prompt, choices) for prompt, choices in questions],
            title=str(settings_["title"]),
            pass_mark=pass_mark,
            max_attempts=attempts,
        )

    def number(self, token: Token, key: str, value: Any, low: int, high: int) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise self.error(token, f"quiz: {key} must be a whole number {low}..{high}")
        return number

    def inline(self, token: Token) -> str:
        return self.render(token.children or [], token)

    def render(self, children: list[Token], token: Token | None = None) -> str:
        """Inline Markdown as the rich-text HTML Wagtail stores (<b>, <i>, <a>)."""
        html = []
        for child in children:
            if child.type == "text":
                if "**" in child.content or "__" in child.content:
                    raise self.error(
                        token or child,
                        f"unmatched bold marker in {child.content!r}: CommonMark "
                        "does not close ** right after punctuation such as ” or ）; "
                        "move the marker inside the punctuation",
                    )
                html.append(escape(child.content, quote=False))
            elif child.type == "softbreak":
                html.append("\n")
            elif child.type == "link_open":
                html.append(f'<a href="{escape(str(child.attrGet("href")))}">')
            elif child.type in INLINE_TAGS:
                html.append(INLINE_TAGS[child.type])
            else:
                raise self.error(
                    token or child, f"{child.type} is not supported in lesson text"
                )
        return SOFT_BREAK_IN_CJK.sub("", "".join(html)).replace("\n", " ")


def _closing(tokens: list[Token], index: int) -> int:
    """The index of the token that closes `tokens[index]` (itself if it opens nothing)."""
    token = tokens[index]
    if token.nesting != 1:
        return index
    for end in range(index + 1, len(tokens)):
        if tokens[end].level == token.level and tokens[end].nesting == -1:
            return end
    return len(tokens) - 1
