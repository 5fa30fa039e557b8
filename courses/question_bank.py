"""Reading a question bank: a sheet (.xlsx or .csv) with the columns 题目, 选项,
答案 and 解析 (optional), one question a row, checked as a whole before anything
is written (courses.services.import_questions writes).

选项 holds the options, one a line or separated by ｜ or |. 答案 names the right
ones by letter (A, or A,C / AC / A、C for several) or by the option's own text.
Two or more right answers make a multiple-choice question.
"""

import re
import string
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from school.importing import RowError, UnreadableFile, read_table

__all__ = ["CheckedBank", "RowError", "UnreadableFile", "check_question_bank"]

COLUMNS = {"prompt": "题目", "choices": "选项", "answer": "答案", "explanation": "解析"}
REQUIRED = ("prompt", "choices", "answer")
MAX_CHOICES = len(string.ascii_uppercase)
MAX_QUESTIONS = 500
# The QuestionBlock's own limits (courses.blocks).
PROMPT_MAX, CHOICE_MAX, EXPLANATION_MAX = 500, 200, 1000

_CHOICE_SEPARATORS = re.compile(r"\r\n|\r|\n|｜|\|")
_LETTERS = re.compile(r"^[A-Za-zＡ-Ｚａ-ｚ]+$")
_ANSWER_SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass
class CheckedBank:
    """The questions of a sheet as QuizBlock question values, or why rows fail."""

    questions: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.questions)


def check_question_bank(content: bytes, filename: str) -> CheckedBank:
    """Every row of the sheet checked; the questions only if all rows are good.

    Raises UnreadableFile if the file as a whole cannot be read or lacks a column."""
    table = read_table(content, filename)
    if not table:
        raise UnreadableFile(_("文件是空的。"))
    positions = _header_positions(table[0])
    bank = CheckedBank()
    rows = [
        (number, row)
        for number, row in enumerate(table[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise UnreadableFile(_("文件里没有题目。"))
    if len(rows) > MAX_QUESTIONS:
        raise UnreadableFile(
            _("一次最多导入 %(count)s 道题。") % {"count": MAX_QUESTIONS}
        )
    for number, row in rows:
        cells = {
            key: row[index].strip() if index < len(row) else ""
            for key, index in positions.items()
        }
        question, reason = _question(cells)
        if reason:
            bank.errors.append(RowError(row=number, reason=reason))
        else:
            bank.questions.append(question)
    if bank.errors:
        bank.questions = []
    return bank


def _header_positions(header: list[str]) -> dict[str, int]:
    names = [cell.strip() for cell in header]
    positions = {
        key: names.index(name) for key, name in COLUMNS.items() if name in names
    }
    missing = [COLUMNS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise UnreadableFile(
            _("缺少列：%(columns)s（第一行应为：题目、选项、答案、解析）")
            % {"columns": "、".join(missing)}
        )
    return positions


def _question(cells: dict[str, str]) -> tuple[dict | None, str | None]:
    prompt, explanation = cells["prompt"], cells.get("explanation", "")
    if not prompt:
        return None, _("题目为空")
    if len(prompt) > PROMPT_MAX:
        return None, _("题目超过 %(max)s 字") % {"max": PROMPT_MAX}
    if len(explanation) > EXPLANATION_MAX:
        return None, _("解析超过 %(max)s 字") % {"max": EXPLANATION_MAX}
    choices = [c.strip() for c in _CHOICE_SEPARATORS.split(cells["choices"])]
    choices = [c for c in choices if c]
    if len(choices) < 2:
        return None, _("至少要有两个选项（每行一个，或用“|”分隔）")
    if len(choices) > MAX_CHOICES:
        return None, _("选项不能超过 %(max)s 个") % {"max": MAX_CHOICES}
    if len(set(choices)) < len(choices):
        return None, _("选项有重复")
    if any(len(choice) > CHOICE_MAX for choice in choices):
        return None, _("选项超过 %(max)s 字") % {"max": CHOICE_MAX}
    correct, reason = _answer_indexes(cells["answer"], choices)
    if reason:
        return None, reason
    return {
        "prompt": prompt,
        "multiple": len(correct) > 1,
        "choices": [
            {"text": text, "is_correct": index in correct}
            for index, text in enumerate(choices)
        ],
        "explanation": explanation,
    }, None


def _answer_indexes(answer: str, choices: list[str]) -> tuple[set[int], str | None]:
    """The indexes of the right options: the answer as an option's text, else as
    letters."""
    if not answer:
        return set(), _("答案为空")
    if answer in choices:
        return {choices.index(answer)}, None
    parts = [part for part in _ANSWER_SEPARATORS.split(answer) if part]
    if parts and all(part in choices for part in parts):
        return {choices.index(part) for part in parts}, None
    letters = "".join(parts)
    if not _LETTERS.match(letters):
        return set(), _("答案“%(answer)s”不是选项字母，也不是某个选项的原文") % {
            "answer": answer
        }
    indexes = set()
    for letter in letters.upper():
        index = ord(letter) - ord("A") if letter <= "Z" else ord(letter) - ord("Ａ")
        if index >= len(choices):
            return set(), _("答案 %(letter)s 超出了选项个数（共 %(count)s 个）") % {
                "letter": letter,
                "count": len(choices),
            }
        indexes.add(index)
    return indexes, None
