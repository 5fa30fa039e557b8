"""空间使用率 in the Wagtail admin: per community space and month, the hours open,
booked and used, day and evening, with a chart, totals and CSV / XLSX exports.

The figures span every community, so they are for administrators (管理员) and
superusers only; to anyone else every URL is a 404, as if it did not exist. Every
view is a GET that changes nothing.
"""

import math
from decimal import Decimal

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from courses.report_views import display
from courses.reports import exports
from courses.reports.figures import Period
from school.models import OrgUnit, User
from school.permissions import user_is_school_admin
from volunteers import utilisation

MONTH_FORMATS = ["%Y-%m"]


def user_reads_utilisation(user: User) -> bool:
    """空间使用率 spans every community: administrators and superusers only."""
    return user_is_school_admin(user)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: OrgUnit) -> str:
        if unit.kind == OrgUnit.Kind.STREET:
            return _("%(name)s（全街道）") % {"name": unit.name}
        return f"　{unit.name}"


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class UtilisationForm(forms.Form):
    """The months (both inclusive) and the street or community the report covers."""

    first = forms.DateField(
        label=gettext_lazy("起始月份"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=MonthInput,
        error_messages={"invalid": gettext_lazy("请按“2026-03”的格式填写月份。")},
    )
    last = forms.DateField(
        label=gettext_lazy("截止月份"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=MonthInput,
        error_messages={"invalid": gettext_lazy("请按“2026-03”的格式填写月份。")},
    )
    unit = UnitChoiceField(
        label=gettext_lazy("街道或社区"),
        queryset=OrgUnit.objects.of_kind(
            OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY
        ).order_by("path"),
        required=False,
        empty_label=gettext_lazy("全部社区"),
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise forms.ValidationError(_("起始月份不能晚于截止月份。"))
        if (
            first
            and last
            and (last.year - first.year) * 12 + last.month - first.month >= 36
        ):
            raise forms.ValidationError(_("一次最多查看 36 个月，请缩小月份范围。"))
        return data

    @property
    def period(self) -> Period:
        """The months asked for; the default months when none (or invalid)."""
        default = utilisation.default_period()
        if not self.is_valid():
            return default
        first, last = self.cleaned_data["first"], self.cleaned_data["last"]
        if first and not last:
            last = max(first, default.end)
        if last and not first:
            first = min(last, default.start)
        if not first:
            return default
        return Period.months(first, last)

    @property
    def unit_value(self) -> OrgUnit | None:
        return self.cleaned_data.get("unit") if self.is_valid() else None


def _report(request: HttpRequest) -> tuple[UtilisationForm, utilisation.Utilisation]:
    if not user_reads_utilisation(request.user):
        raise Http404
    form = UtilisationForm(request.GET or None)
    return form, utilisation.space_utilisation(form.period, unit=form.unit_value)


# --- the chart ------------------------------------------------------------------------

CHART_HEIGHT = 160
BAR_WIDTH = 20
GROUP_GAP = 24
# Day blue, evening brown: each stands out from white at 4.5:1 or more.
FILLS = {"day": "#1f5f99", "evening": "#9a4a00"}


def _scale(peak: Decimal) -> int:
    """The chart's top: the highest rate rounded up to a multiple of 10 (%)."""
    return max(10, int(math.ceil(float(peak) / 10)) * 10)


def chart(report: utilisation.Utilisation) -> dict:
    """Bars per month, scaled for the template's SVG: the day and the evening
    rate (booked over open hours), with the hours behind each."""
    rates = [
        rate
        for _month, figures in report.by_month
        for rate in (figures.day_rate, figures.evening_rate)
        if rate is not None
    ]
    top = _scale(max(rates, default=Decimal(0)))
    group = 2 * BAR_WIDTH + GROUP_GAP
    months = []
    for index, (month, figures) in enumerate(report.by_month):
        left = 44 + index * group
        bars = []
        for offset, (part, rate, booked, open_) in enumerate(
            (
                ("day", figures.day_rate, figures.booked_day, figures.open_day),
                (
                    "evening",
                    figures.evening_rate,
                    figures.booked_evening,
                    figures.open_evening,
                ),
            )
        ):
            height = round(CHART_HEIGHT * float(rate or 0) / top)
            bars.append(
                {
                    "x": left + offset * BAR_WIDTH,
                    "y": 10 + CHART_HEIGHT - height,
                    "height": height,
                    "part": part,
                    "fill": FILLS[part],
                    "rate": display(rate),
                    "booked": display(utilisation.hours(booked)),
                    "open": display(utilisation.hours(open_)),
                }
            )
        months.append(
            {"label": f"{month:%Y-%m}", "label_x": left + BAR_WIDTH, "bars": bars}
        )
    return {
        "months": months,
        "width": 44 + max(1, len(months)) * group,
        "height": CHART_HEIGHT + 40,
        "axis_y": 10 + CHART_HEIGHT,
        "label_y": CHART_HEIGHT + 28,
        "top": top,
        "fills": FILLS,
    }


# --- the views --------------------------------------------------------------------------


class UtilisationView(WagtailAdminTemplateMixin, TemplateView):
    """The report on screen: filters, chart, table with subtotals, exports."""

    template_name = "volunteers/admin/utilisation.html"
    header_icon = "table"
    page_title = gettext_lazy("空间使用率")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form, self.report = _report(request)

    @property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        return [
            HeaderButton(
                label,
                url=reverse("utilisation:export", args=[file_format]) + suffix,
                icon_name="download",
            )
            for label, file_format in (
                (_("导出 CSV"), "csv"),
                (_("导出 Excel"), "xlsx"),
            )
        ]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        headers, rows = utilisation.table(self.report)
        return super().get_context_data(
            form=self.form,
            report=self.report,
            headers=headers,
            rows=[[display(value) for value in row] for row in rows],
            chart=chart(self.report),
            period_label=_("%(first)s 至 %(last)s")
            % {
                "first": f"{self.report.period.start:%Y-%m}",
                "last": f"{self.report.period.end:%Y-%m}",
            },
            **kwargs,
        )


@require_GET
def export_utilisation(request: HttpRequest, file_format: str) -> HttpResponse:
    """The same table as CSV or XLSX."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    form, report = _report(request)
    parts = [_("空间使用率")]
    if form.unit_value is not None:
        parts.append(form.unit_value.name)
    parts.append(f"{report.period.start:%Y%m}-{report.period.end:%Y%m}")
    filename = "-".join(parts)
    table = utilisation.table(report)
    if file_format == "csv":
        return exports.csv_response(table, filename)
    return exports.xlsx_response(table, filename, title=_("空间使用率"))


urlpatterns = [
    path("", UtilisationView.as_view(), name="index"),
    path("export/<str:file_format>/", export_utilisation, name="export"),
]
