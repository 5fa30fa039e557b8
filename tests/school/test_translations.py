import re
from pathlib import Path

from django.conf import settings

import pytest

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    text = PO_FILE.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if "msgid" in block][1:]


def test_every_source_string_has_an_english_translation():
    untranslated = []
    for block in _entries():
        if "#, fuzzy" in block or re.search(
            r'^msgstr(\[\d\])? ""\n(?!")', block + "\n", re.M
        ):
            untranslated.append(block)
    assert untranslated == []


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
