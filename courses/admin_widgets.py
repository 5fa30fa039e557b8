"""Widgets of the course and lesson editors.

Wagtail packs a StreamField's whole block definition (every block type, its child
blocks and their widgets: Draftail's features, the choosers) into JSON on every
request to the editor, a quarter of the time the editor of a lesson takes to open
(tests/bench/test_admin.py). The definition depends on the blocks and on the
language of the labels only, never on the page or the user, so it is packed once
per block and language in each process.
"""

from typing import ClassVar

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from wagtail.admin.telepath import JSContext
from wagtail.blocks.base import BlockWidget


class PackedOnceBlockWidget(BlockWidget):
    """A StreamField's editor widget whose block definition is packed once per
    block and language (the packed JSON and its media), then reused."""

    _packed: ClassVar[dict[tuple[int, str], tuple[object, JSContext, str]]] = {}

    def _definition(self) -> tuple[JSContext, str]:
        key = (id(self.block_def), get_language() or "")
        try:
            _block, js_context, block_json = self._packed[key]
        except KeyError:
            super()._build_block_json()
            js_context, block_json = self._js_context, self._block_json
            # The block is kept with its definition, so its id is never reused.
            self._packed[key] = (self.block_def, js_context, block_json)
        return js_context, block_json

    @property
    def js_context(self):
        return self._definition()[0]

    @property
    def block_json(self):
        return self._definition()[1]


class CompactSelectMultiple(forms.SelectMultiple):
    """A multiple select whose options are written directly, not through a template
    each: a course's 先修课程 lists every course of the site, and with a thousand
    courses Django's per-option templates made the course editor take 0.4 s."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), " selected" if str(key) in selected else "", label)
                for key, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html(
            "<select multiple{}>{}</select>", flatatt(final_attrs), options
        )
