"""统计报表 in the Wagtail admin: a class's attendance grid, practice sites, org
units, one trainee across classes, person-times per month, teaching hours, and
each of them (plus every attendance record) as a streaming CSV or XLSX file.

Reports are for administrators (管理员, who manage every session): they span every
site, unit and class. A site host runs their own sessions from the session
roster and is not given these school-wide figures; to anyone else every report
URL is a 404, as if it did not exist (a trainee, outside the admin, is sent to
its login as everywhere in it). Every view is a GET that changes nothing.

A unit's figures are its members' (and its sub-units' members'): 开展场次 there
counts the sessions they attended, a site's the sessions held at it.
"""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton

from courses import reports
from courses.models import TrainingClass
from courses.permissions import user_manages_every_session
from courses.reports import exports
from school.models import OrgUnit, User

SEARCH_LIMIT = 50


def user_reads_reports(user: User) -> bool:
    """统计报表 span the whole school: administrators (and superusers) only."""
    return user_manages_every_session(user)


def check_reader(user: User) -> None:
    """A 404 for anyone who may not read reports, the same as a missing page."""
    if not user_reads_reports(user):
        raise Http404


# --- filters ------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("开始日期"), required=False, widget=AdminDateInput
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=AdminDateInput
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data

    @property
    def period(self) -> reports.Period:
        """The valid period asked for; everything when the dates are invalid."""
        if not self.is_valid():
            return reports.Period()
        return reports.Period(self.cleaned_data["start"], self.cleaned_data["end"])


class UnitPeriodForm(PeriodForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("按单位层级"),
        choices=reports.unit_kinds,
        required=False,
    )

    @property
    def kind_value(self) -> str:
        if self.is_valid() and self.cleaned_data["kind"]:
            return self.cleaned_data["kind"]
        return OrgUnit.Kind.STREET


def display(value) -> str:
    """A table cell on screen: — for nothing, local minutes for moments."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return f"{value:g}"
    return str(value)


# --- the report pages ---------------------------------------------------------------


class ReportMixin(WagtailAdminTemplateMixin):
    header_icon = "table"
    template_name = "courses/admin/report_table.html"
    export_name = ""
    form_class = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_reader(request.user)
        self.form = self.form_class(request.GET or None) if self.form_class else None

    def export_url(self, file_format: str) -> str:
        return reverse("course_reports:export", args=[self.export_name, file_format])

    @property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        return [
            HeaderButton(
                label, url=self.export_url(file_format) + suffix, icon_name="download"
            )
            for label, file_format in (
                (_("导出 CSV"), "csv"),
                (_("导出 Excel"), "xlsx"),
            )
        ]

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("course_reports:index"), "label": _("统计报表")},
            {"url": "", "label": self.get_page_title()},
        ]

    def table(self) -> exports.Table:
        raise NotImplementedError

    def row_links(self) -> list[str]:
        """Where each row's first cell leads, if anywhere ("" for nowhere)."""
        return []

    def get_context_data(self, **kwargs):
        headers, rows = self.table()
        rows = [[display(value) for value in row] for row in rows]
        links = self.row_links()
        return super().get_context_data(
            form=self.form,
            headers=headers,
            rows=rows,
            linked_rows=[
                (links[n] if n < len(links) else "", row) for n, row in enumerate(rows)
            ],
            **kwargs,
        )


class ReportIndexView(ReportMixin, TemplateView):
    """统计报表: the list of reports, the classes to open and the record export."""

    template_name = "courses/admin/report_index.html"
    page_title = gettext_lazy("统计报表")
    form_class = PeriodForm
    header_buttons = []

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return WagtailAdminTemplateMixin.get_context_data(
            self,
            form=self.form or PeriodForm(),
            classes=TrainingClass.objects.select_related("course").order_by(
                "-starts_on", "-pk"
            ),
            **kwargs,
        )


class ClassReportView(ReportMixin, TemplateView):
    """A class's grid of trainees × sessions, each trainee's rate and the class's."""

    page_title = gettext_lazy("培训班出勤")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.training_class = get_object_or_404(
            TrainingClass.objects.select_related("course"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self):
        return str(self.training_class)

    def export_url(self, file_format: str) -> str:
        return reverse(
            "course_reports:export_class", args=[self.training_class.pk, file_format]
        )

    @cached_property
    def grid(self) -> reports.ClassGrid:
        return reports.class_grid(self.training_class)

    def table(self):
        return exports.class_grid_table(self.grid)

    def row_links(self):
        return [
            reverse("course_reports:trainee", args=[row.enrollment.trainee_id])
            for row in self.grid.rows
        ]


class SiteReportView(ReportMixin, TemplateView):
    page_title = gettext_lazy("实践教学点统计")
    form_class = PeriodForm
    export_name = "sites"

    def table(self):
        return site_table(self.form)


class UnitReportView(ReportMixin, TemplateView):
    page_title = gettext_lazy("单位统计")
    form_class = UnitPeriodForm
    export_name = "units"

    def table(self):
        return unit_table(self.form)


class PersonTimesReportView(ReportMixin, TemplateView):
    page_title = gettext_lazy("人次统计")
    form_class = PeriodForm
    export_name = "person-times"

    def table(self):
        return person_times_table(self.form)


class TeachingHoursReportView(ReportMixin, TemplateView):
    page_title = gettext_lazy("讲师课时")
    form_class = PeriodForm
    export_name = "teaching-hours"

    def table(self):
        return teaching_hours_table(self.form)


class TraineeSearchView(ReportMixin, TemplateView):
    """Find a trainee by name or whole phone number to open their report."""

    template_name = "courses/admin/report_trainee_search.html"
    page_title = gettext_lazy("学员出勤")
    header_buttons = []

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        found = []
        if query:
            found = (
                User.objects.filter(Q(real_name__icontains=query) | Q(phone=query))
                .select_related("org_unit")
                .order_by("real_name", "pk")[:SEARCH_LIMIT]
            )
        return WagtailAdminTemplateMixin.get_context_data(
            self, query=query, found=found, **kwargs
        )


class TraineeReportView(ReportMixin, TemplateView):
    page_title = gettext_lazy("学员出勤")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.trainee = get_object_or_404(User, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.trainee.real_name

    def export_url(self, file_format: str) -> str:
        return reverse(
            "course_reports:export_trainee", args=[self.trainee.pk, file_format]
        )

    def table(self):
        return exports.trainee_table(reports.trainee_classes(self.trainee))


# --- the tables, shared by pages and exports ------------------------------------------


def site_table(form: PeriodForm) -> exports.Table:
    return exports.place_table(reports.site_figures(form.period), first=_("实践教学点"))


def unit_table(form: UnitPeriodForm) -> exports.Table:
    return exports.place_table(
        reports.unit_figures(form.period, kind=form.kind_value), first=_("单位")
    )


def person_times_table(form: PeriodForm) -> exports.Table:
    return exports.person_times_table(reports.person_times_by_month(form.period))


def teaching_hours_table(form: PeriodForm) -> exports.Table:
    period = form.period
    return exports.teaching_hours_table(
        reports.teaching_hours(first_month=period.start, last_month=period.end)
    )


def records_table(form: PeriodForm) -> exports.Table:
    return exports.attendance_records_table(form.period)


# --- exports -------------------------------------------------------------------------

EXPORTS = {
    # name: (title, form, table)
    "sites": (gettext_lazy("实践教学点统计"), PeriodForm, site_table),
    "units": (gettext_lazy("单位统计"), UnitPeriodForm, unit_table),
    "person-times": (gettext_lazy("人次统计"), PeriodForm, person_times_table),
    "teaching-hours": (gettext_lazy("讲师课时"), PeriodForm, teaching_hours_table),
    "records": (gettext_lazy("出勤记录"), PeriodForm, records_table),
}


def _send(table: exports.Table, *, title: str, name: str, file_format: str):
    if file_format == "csv":
        return exports.csv_response(table, name)
    return exports.xlsx_response(table, name, title=title)


def _check_format(file_format: str) -> None:
    if file_format not in ("csv", "xlsx"):
        raise Http404


@require_GET
def export_report(request: HttpRequest, name: str, file_format: str) -> HttpResponse:
    """A school-wide report (or every attendance record) for the period asked
    for, as CSV or XLSX."""
    check_reader(request.user)
    _check_format(file_format)
    if name not in EXPORTS:
        raise Http404
    title, form_class, table = EXPORTS[name]
    form = form_class(request.GET or None)
    period = form.period
    dates = "-".join(str(day) for day in (period.start, period.end) if day is not None)
    filename = f"{title}-{dates}" if dates else str(title)
    return _send(table(form), title=str(title), name=filename, file_format=file_format)


@require_GET
def export_class(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    check_reader(request.user)
    _check_format(file_format)
    training_class = get_object_or_404(
        TrainingClass.objects.select_related("course"), pk=pk
    )
    table = exports.class_grid_table(reports.class_grid(training_class))
    return _send(
        table,
        title=_("培训班出勤"),
        name=_("%(class)s-出勤") % {"class": training_class},
        file_format=file_format,
    )


@require_GET
def export_trainee(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    check_reader(request.user)
    _check_format(file_format)
    trainee = get_object_or_404(User, pk=pk)
    table = exports.trainee_table(reports.trainee_classes(trainee))
    return _send(
        table,
        title=_("学员出勤"),
        name=_("%(name)s-出勤") % {"name": trainee.real_name},
        file_format=file_format,
    )


urlpatterns = [
    path("", ReportIndexView.as_view(), name="index"),
    path("classes/<int:pk>/", ClassReportView.as_view(), name="class"),
    path("sites/", SiteReportView.as_view(), name="sites"),
    path("units/", UnitReportView.as_view(), name="units"),
    path("person-times/", PersonTimesReportView.as_view(), name="person_times"),
    path("teaching-hours/", TeachingHoursReportView.as_view(), name="teaching_hours"),
    path("trainees/", TraineeSearchView.as_view(), name="trainees"),
    path("trainees/<int:pk>/", TraineeReportView.as_view(), name="trainee"),
    path("export/class/<int:pk>/<str:file_format>/", export_class, name="export_class"),
    path(
        "export/trainee/<int:pk>/<str:file_format>/",
        export_trainee,
        name="export_trainee",
    ),
    path("export/<str:name>/<str:file_format>/", export_report, name="export"),
]
