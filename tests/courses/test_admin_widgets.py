"""The lesson editor's block definition is packed once per language and reused."""

from django.utils import translation

from courses.admin_widgets import PackedOnceBlockWidget
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
