import re
from pathlib import Path

from django.conf import settings

import pytest

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
ZH_PO_FILE = (
    Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
)


def _entries(po_file: Path = PO_FILE) -> list[str]:
    text = po_file.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if "msgid" in block][1:]


def _strings(block: str, keyword: str) -> list[str]:
    """The (joined) strings of each `keyword` line of a .po entry."""
    found = re.findall(rf'^{keyword} ((?:".*"\n?)+)', block + "\n", re.M)
    return ["".join(re.findall(r'"(.*)"', value)) for value in found]


def test_every_source_string_has_an_english_translation():
    untranslated = []
    for block in _entries():
        if "#, fuzzy" in block or re.search(
            r'^msgstr(\[\d\])? ""\n(?!")', block + "\n", re.M
        ):
            untranslated.append(block)
    assert untranslated == []


def test_the_chinese_catalogue_only_repeats_the_source_strings():
    """Chinese is the source language: locale/zh_Hans is there for speed (a string
    found at once), so it must never change what a Chinese reader sees."""
    changed = []
    for block in _entries(ZH_PO_FILE):
        msgids = _strings(block, "msgid") + _strings(block, "msgid_plural")
        msgstrs = _strings(block, r"msgstr(?:\[\d\])?")
        if "#, fuzzy" in block or not msgstrs or not set(msgstrs) <= set(msgids):
            changed.append(block)
    assert changed == []


def test_english_is_selectable_and_the_choice_sticks(client, grid_school):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "Skip to content" in content
    assert "Log in" in content


def test_chinese_is_the_default(client, grid_school):
    content = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in content
    assert "跳到正文" in content
