"""The editors' widgets: the lesson's block definition is packed once per
language and reused; a course's 先修课程 select is written without a template per
option, to the same HTML."""

from django import forms
from django.test.html import parse_html
from django.utils import translation

from courses.admin_widgets import CompactSelectMultiple, PackedOnceBlockWidget
from courses.models import LessonPage


def test_the_block_definition_is_packed_once_per_language():
    block = LessonPage._meta.get_field("body").stream_block
    first, second = PackedOnceBlockWidget(block), PackedOnceBlockWidget(block)

    with translation.override("zh-hans"):
        chinese = first.block_json
        assert second.block_json is chinese
        assert second.js_context is first.js_context
    with translation.override("en"):
        english = second.block_json

    assert english is not chinese
    assert "\\u6d4b\\u9a8c" in chinese  # 测验, the quiz block's label


def test_the_compact_select_writes_what_djangos_select_multiple_writes():
    choices = [(1, "甲<b>"), (2, "乙")]
    attrs = {"id": "id_prerequisites", "aria-describedby": "help"}

    compact = CompactSelectMultiple(choices=choices).render("p", [2], attrs)
    django = forms.SelectMultiple(choices=choices).render("p", [2], attrs)

    assert parse_html(compact) == parse_html(django)
    assert '<option value="2" selected>乙</option>' in compact
    assert "甲&lt;b&gt;" in compact
