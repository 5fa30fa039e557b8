"""Panels of the Wagtail admin home (registered in wagtail_hooks)."""

from wagtail.admin.ui.components import Component

from courses.selectors.teaching import teaching_overview


class TeachingPanel(Component):
    """我的课程与班级: an instructor's courses and classes, each class with links
    to its roster and quiz results. Shown to whoever authors or teaches something."""

    name = "teaching"
    template_name = "courses/admin/teaching_panel.html"
    order = 50

    def __init__(self, user):
        self.overview = teaching_overview(user)

    def render_html(self, parent_context=None):
        if not self.overview:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        return {"overview": self.overview}
