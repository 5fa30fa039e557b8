"""导入题库: upload a sheet of questions into a lesson's quiz, from the lesson's
edit view (header menu) or the page listing's 更多 menu. Rows are all checked
first; one bad row and nothing is saved. A good sheet becomes a new draft
revision by the acting user, never a publication.

Whoever may edit the lesson may import; anyone else gets the same 404 as for a
lesson that does not exist."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses import services
from courses.models import LessonPage
from courses.question_bank import UnreadableFile, check_question_bank
from school.importing import MAX_FILE_BYTES


def get_lesson_for_editor(user, pk: int) -> LessonPage:
    """The lesson, if this user may edit it; else 404, as if it did not exist."""
    lesson = get_object_or_404(LessonPage, pk=pk)
    if not lesson.permissions_for_user(user).can_edit():
        raise Http404
    return lesson


class QuestionBankForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("题库文件"),
        help_text=gettext_lazy(
            "Excel（.xlsx）或 CSV 文件，第一行为列名：题目、选项、答案、解析（可不填）。"
            "选项每行一个，或用“|”分隔；答案写选项字母（如 A，多选写 A,C）或选项原文。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("文件过大（上限 20 MB）。"))
        return upload


class QuestionBankImportView(WagtailAdminTemplateMixin, FormView):
    """The upload form; after a failed check, the list of bad rows."""

    template_name = "courses/admin/question_bank_import.html"
    form_class = QuestionBankForm
    page_title = gettext_lazy("导入题库")
    header_icon = "tasks"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.lesson = get_lesson_for_editor(request.user, kwargs["pk"])

    def get_page_subtitle(self):
        return self.lesson.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.lesson.pk]),
                "label": self.lesson.get_admin_display_title(),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            bank = check_question_bank(upload.read(), upload.name)
        except UnreadableFile as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        if not bank.ok:
            return self.render_to_response(
                self.get_context_data(form=form, errors=bank.errors)
            )
        try:
            services.import_questions(
                self.lesson, bank.questions, actor=self.request.user
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已导入 %(count)s 道题，保存为草稿；核对后请提交审核或发布。")
            % {"count": len(bank.questions)},
        )
        return redirect("wagtailadmin_pages:edit", self.lesson.pk)

    def get_context_data(self, **kwargs):
        quiz = self.lesson.get_latest_revision_as_object().quiz
        return super().get_context_data(
            lesson=self.lesson,
            current_questions=len(quiz["questions"]) if quiz else 0,
            **kwargs,
        )


class ImportQuestionsMenuItem(PageMenuItem):
    """导入题库, in a lesson's header menu and its 更多 menu in the page listing."""

    label = gettext_lazy("导入题库")
    icon_name = "upload"
    url_name = "courses_import_questions"

    def is_shown(self, user):
        return self.page.permissions_for_user(user).can_edit()


def menu_items(page, user, *args, **kwargs):
    """The 导入题库 item for page menus (register_page_*_buttons hooks)."""
    if page.specific_class is LessonPage:
        yield ImportQuestionsMenuItem(page=page, priority=55)


urlpatterns = [
    path(
        "courses/lessons/<int:pk>/import-questions/",
        QuestionBankImportView.as_view(),
        name="courses_import_questions",
    )
]
