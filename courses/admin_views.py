"""Per-class admin pages, reached from the 培训班 list: roster (with pending
requests), roster export, bulk enrolment by org unit, quiz results.

Every view fetches the class through `get_class_for_user`: a class this user may
not see is a 404, the same as one that does not exist. Changing enrolments is an
administrator's job; an instructor of the class reads but gets a 403 on a change.
The URLs live under the TrainingClassViewSet, so Wagtail already requires admin
access."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from courses import rosters, services
from courses.models import Enrollment, LessonPage, TrainingClass
from courses.permissions import (
    user_can_grant_quiz_attempts,
    user_can_manage_enrollments,
    user_can_view_full_phone,
)
from school.models import OrgUnit, User
from school.selectors import unit_names


def get_class_for_user(user: User, pk: int) -> TrainingClass:
    """The class, if the permission policy lets this user view it; else 404."""
    training_class = get_object_or_404(
        TrainingClass.objects.select_related("course", "practice_site"), pk=pk
    )
    policy = policy_registry.get_by_type(TrainingClass)
    if not policy.user_has_permission_for_instance(user, "view", training_class):
        raise Http404
    return training_class


def get_enrollment_for_manager(user: User, pk: int) -> Enrollment:
    """An enrolment of a class this user may view (else 404) and whose enrolments
    they may change (else 403: they can see the roster, not change it)."""
    enrollment = get_object_or_404(Enrollment, pk=pk)
    get_class_for_user(user, enrollment.training_class_id)
    if not user_can_manage_enrollments(user):
        raise PermissionDenied
    return enrollment


class TrainingClassPageMixin(WagtailAdminTemplateMixin):
    """Header, breadcrumbs and sibling links shared by the per-class pages."""

    header_icon = "clipboard-list"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.training_class = get_class_for_user(request.user, kwargs["pk"])

    @cached_property
    def can_manage_enrollments(self) -> bool:
        return user_can_manage_enrollments(self.request.user)

    def get_page_subtitle(self):
        return str(self.training_class)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("training_classes:index"),
                "label": TrainingClass._meta.verbose_name_plural,
            },
            {
                "url": "",
                "label": self.get_page_title(),
                "sublabel": self.get_page_subtitle(),
            },
        ]

    def link(self, name: str, label: str, icon: str, **kwargs) -> HeaderButton:
        url = reverse(
            f"training_classes:{name}",
            kwargs={"pk": self.training_class.pk, **kwargs},
        )
        return HeaderButton(label, url=url, icon_name=icon)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            training_class=self.training_class,
            can_manage_enrollments=self.can_manage_enrollments,
            **kwargs,
        )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("不通过的原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写不通过的原因。")},
    )


class ReasonForm(forms.Form):
    """The reason an administrator gives for removing a trainee or marking them
    完成 by hand; it goes on the enrolment's event."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写原因。")},
    )


class RosterSearchForm(forms.Form):
    """Search the roster by name, phone or unit, and filter it by status."""

    q = forms.CharField(label=gettext_lazy("姓名、手机号或单位"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            *[
                (s.value, s.label)
                for s in Enrollment.Status
                if s.value in Enrollment.LIVE_STATUSES
            ],
        ],
    )


class TrainingClassRosterView(TrainingClassPageMixin, TemplateView):
    """花名册: who is in the class, how far they are, their best quiz scores; above
    it, the requests awaiting approval. The list can be searched and filtered;
    an administrator removes a trainee or marks one 已结业 by hand, with a reason."""

    template_name = "courses/admin/training_class_roster.html"
    page_title = gettext_lazy("花名册")

    @cached_property
    def header_buttons(self):
        buttons = [
            self.link("export_roster", _("导出 CSV"), "download", file_format="csv"),
            self.link("export_roster", _("导出 Excel"), "download", file_format="xlsx"),
            self.link("quiz_results", _("测验成绩"), "tasks"),
        ]
        if self.can_manage_enrollments:
            buttons.append(self.link("bulk_enroll", _("按单位批量报名"), "group"))
        return buttons

    def get_context_data(self, **kwargs):
        roster = rosters.class_roster(self.training_class)
        search = RosterSearchForm(self.request.GET)
        search.is_valid()
        query = search.cleaned_data.get("q", "")
        status = search.cleaned_data.get("status", "")
        return super().get_context_data(
            roster=roster,
            listed=rosters.search_roster(roster, query=query, status=status),
            searching=bool(query or status),
            search_form=search,
            full_phone=user_can_view_full_phone(self.request.user),
            reject_form=RejectForm(),
            reason_form=ReasonForm(),
            **kwargs,
        )


@require_GET
def export_roster(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    training_class = get_class_for_user(request.user, pk)
    writers = {
        "csv": (rosters.roster_csv, "text/csv; charset=utf-8"),
        "xlsx": (
            rosters.roster_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    if file_format not in writers:
        raise Http404
    write, content_type = writers[file_format]
    filename = rosters.export_filename(training_class, file_format)
    return HttpResponse(
        write(
            rosters.class_roster(training_class),
            full_phone=user_can_view_full_phone(request.user),
        ),
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _roster_url(enrollment: Enrollment) -> str:
    return reverse("training_classes:roster", args=[enrollment.training_class_id])


@require_POST
def approve_enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_enrollment_for_manager(request.user, pk)
    try:
        enrollment = services.approve_enrollment(enrollment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已通过 %(name)s 的报名。") % {"name": enrollment.trainee.real_name},
        )
    return redirect(_roster_url(enrollment))


@require_POST
def reject_enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_enrollment_for_manager(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
        return redirect(_roster_url(enrollment))
    try:
        enrollment = services.reject_enrollment(
            enrollment, actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已将 %(name)s 的报名标为不通过。")
            % {"name": enrollment.trainee.real_name},
        )
    return redirect(_roster_url(enrollment))


def _reason_or_back(request: HttpRequest, enrollment: Enrollment) -> str | None:
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    messages.error(request, " ".join(form.errors["reason"]))
    return None


@require_POST
def remove_trainee(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator takes a trainee off the roster (a withdrawal on their
    behalf, with the reason on its event); a held seat is freed."""
    enrollment = get_enrollment_for_manager(request.user, pk)
    reason = _reason_or_back(request, enrollment)
    if reason is None:
        return redirect(_roster_url(enrollment))
    try:
        enrollment = services.withdraw_enrollment(
            enrollment, actor=request.user, note=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已将 %(name)s 移出本班。") % {"name": enrollment.trainee.real_name},
        )
    return redirect(_roster_url(enrollment))


@require_POST
def complete_by_hand(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator marks a studying trainee 已结业, with the reason."""
    enrollment = get_enrollment_for_manager(request.user, pk)
    reason = _reason_or_back(request, enrollment)
    if reason is None:
        return redirect(_roster_url(enrollment))
    try:
        enrollment = services.complete_by_hand(
            enrollment, actor=request.user, reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已将 %(name)s 标为已结业。") % {"name": enrollment.trainee.real_name},
        )
    return redirect(_roster_url(enrollment))


class OrgUnitNameField(forms.Field):
    """A street, community or grid typed by its full name (街道 › 社区 › 网格),
    picked from a datalist the browser filters as one types: 300-odd units where
    "第1网格" appears dozens of times are found by typing, not scrolling. A unit's
    own name is enough when only one unit bears it."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {})
        super().__init__(*args, **kwargs)

    @cached_property
    def units(self) -> list[OrgUnit]:
        return list(
            OrgUnit.objects.of_kind(
                OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID
            ).order_by("path")
        )

    @cached_property
    def names(self) -> dict[int, str]:
        """Full name of every unit on offer, in tree order."""
        return unit_names(self.units)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "list": "org-unit-options",
            "autocomplete": "off",
        }

    def to_python(self, value) -> OrgUnit | None:
        value = (value or "").strip()
        if not value:
            return None
        by_pk = {unit.pk: unit for unit in self.units}
        if value.isdigit() and int(value) in by_pk:
            return by_pk[int(value)]
        matches = [by_pk[pk] for pk, name in self.names.items() if name == value]
        if not matches:
            matches = [unit for unit in self.units if unit.name == value]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(_("有多个单位叫这个名字，请从列表中选择完整名称。"))
        raise ValidationError(_("没有找到这个单位，请从列表中选择。"))


class BulkEnrollForm(forms.Form):
    org_unit = OrgUnitNameField(
        label=gettext_lazy("单位"),
        help_text=gettext_lazy(
            "输入街道、社区或网格的名称，从列表中选择。"
            "该单位及其下属单位的全部在册学员都会报名。"
        ),
        error_messages={"required": gettext_lazy("请选择单位。")},
    )


class BulkEnrollView(TrainingClassPageMixin, TemplateView):
    """按单位批量报名 in two steps: the chosen unit first shows how many people it
    would enrol and who would be left out and why (nothing changes yet); a second
    POST with `confirm` enrols them, as far as seats go, and reports the result."""

    template_name = "courses/admin/training_class_bulk_enroll.html"
    page_title = gettext_lazy("按单位批量报名")

    def dispatch(self, request, *args, **kwargs):
        if not self.can_manage_enrollments:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def header_buttons(self):
        return [self.link("roster", _("花名册"), "list-ul")]

    def post(self, request, *args, **kwargs):
        form = BulkEnrollForm(request.POST)
        result = preview = None
        if form.is_valid():
            org_unit = form.cleaned_data["org_unit"]
            if not self.training_class.is_active:
                form.add_error(None, _("该班已停办"))
            elif request.POST.get("confirm"):
                try:
                    result = services.bulk_enroll(
                        self.training_class, org_unit=org_unit, actor=request.user
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.training_class.refresh_from_db()
                    form = BulkEnrollForm()
            else:
                preview = services.plan_bulk_enrolment(
                    self.training_class, org_unit=org_unit
                )
        return self.render_to_response(
            self.get_context_data(form=form, result=result, preview=preview)
        )

    def get_context_data(self, **kwargs):
        form = kwargs.setdefault("form", BulkEnrollForm())
        outcome = kwargs.get("result") or kwargs.get("preview")
        if outcome is not None:
            kwargs["left_out"] = [
                *[(person, _("已在本班")) for person in outcome.already],
                *outcome.ineligible,
                *[(person, _("名额已满")) for person in outcome.no_seat],
            ]
        if kwargs.get("preview") is not None:
            unit = form.cleaned_data["org_unit"]
            kwargs["unit"] = unit
            kwargs["unit_name"] = form.fields["org_unit"].names.get(unit.pk, unit.name)
        kwargs["unit_options"] = form.fields["org_unit"].names.values()
        return super().get_context_data(**kwargs)


class QuizResultsView(TrainingClassPageMixin, TemplateView):
    """测验成绩: per lesson with a quiz, each trainee's attempts, best score, passed."""

    template_name = "courses/admin/training_class_quiz_results.html"
    page_title = gettext_lazy("测验成绩")

    @cached_property
    def header_buttons(self):
        return [self.link("roster", _("花名册"), "list-ul")]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            results=rosters.class_quiz_results(self.training_class),
            can_grant=user_can_grant_quiz_attempts(
                self.request.user, self.training_class
            ),
            grant_form=GrantAttemptsForm(),
            **kwargs,
        )


def get_class_for_granting(user: User, pk: int) -> TrainingClass:
    """The class, if this user may grant extra quiz attempts in it; a class they
    may see but not grant in is a 403, one they may not see a 404."""
    training_class = get_object_or_404(
        TrainingClass.objects.select_related("course"), pk=pk
    )
    if user_can_grant_quiz_attempts(user, training_class):
        return training_class
    get_class_for_user(user, pk)
    raise PermissionDenied


class GrantAttemptsForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    lesson = forms.IntegerField(widget=forms.HiddenInput)
    extra = forms.IntegerField(
        label=gettext_lazy("增加次数"),
        min_value=1,
        max_value=services.MAX_GRANT,
        initial=1,
        error_messages={
            "required": gettext_lazy("请填写增加次数。"),
            "invalid": gettext_lazy("增加次数须为整数。"),
            "min_value": gettext_lazy("至少增加 1 次。"),
            "max_value": gettext_lazy("每次最多增加 %(limit_value)s 次。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写增加作答次数的原因。")},
    )


@require_POST
def grant_quiz_attempts(request: HttpRequest, pk: int) -> HttpResponse:
    """Give one trainee of the class extra attempts at one lesson's quiz, with a
    reason; the grant records who gave it. Back to the class's quiz results."""
    training_class = get_class_for_granting(request.user, pk)
    back = reverse("training_classes:quiz_results", args=[training_class.pk])
    form = GrantAttemptsForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(e for errors in form.errors.values() for e in errors)
        )
        return redirect(back)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("trainee"),
        pk=form.cleaned_data["enrollment"],
        training_class=training_class,
    )
    lesson = get_object_or_404(LessonPage, pk=form.cleaned_data["lesson"])
    try:
        grant = services.grant_extra_attempts(
            enrollment,
            lesson,
            extra=form.cleaned_data["extra"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已为 %(name)s 增加《%(lesson)s》测验 %(n)s 次作答机会。")
            % {
                "name": enrollment.trainee.real_name,
                "lesson": lesson.title,
                "n": grant.extra,
            },
        )
    return redirect(back)
