"""等级报表 in the Wagtail admin: the level funnel per org unit and over time,
promotions per month and the time to each level, each with CSV and XLSX exports.

The figures cover everyone on the ladder, so they are for administrators (管理员)
and superusers only; to anyone else every URL is a 404, as if it did not exist.
Every view is a GET that changes nothing.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from courses.report_views import PeriodForm, display
from courses.reports import exports
from school.models import User
from school.permissions import user_is_school_admin
from volunteers import level_reports


class UnitForm(PeriodForm):
    """The funnel per unit is today's: it takes no dates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.clear()


def user_reads_level_reports(user: User) -> bool:
    """等级报表 cover everyone on the ladder: administrators and superusers only."""
    return user_is_school_admin(user)


def check_reader(user: User) -> None:
    """A 404 for anyone who may not read these reports, the same as a missing page."""
    if not user_reads_level_reports(user):
        raise Http404


REPORTS = {
    # name: (title, what it shows, form, table)
    "funnel": (
        gettext_lazy("各单位等级分布"),
        gettext_lazy("各街道、社区现有居民、志愿者、社区能人、社区主理人的人数和占比"),
        UnitForm,
        lambda form: level_reports.funnel_by_unit(),
    ),
    "months": (
        gettext_lazy("等级分布变化"),
        gettext_lazy("每月末各等级的人数"),
        PeriodForm,
        lambda form: level_reports.levels_by_month_table(form.period),
    ),
    "promotions": (
        gettext_lazy("每月晋级人数"),
        gettext_lazy("每月生效的晋级，按晋升等级分列"),
        PeriodForm,
        lambda form: level_reports.promotions_by_month(form.period),
    ),
    "times": (
        gettext_lazy("晋级用时"),
        gettext_lazy("达到各等级所用天数：自注册起、自上一等级起的中位数和平均数"),
        PeriodForm,
        lambda form: level_reports.times_table(form.period),
    ),
}
NOTES = {
    "funnel": gettext_lazy(
        "按人员当前等级统计，只计启用的账号；街道含其下各社区和网格的人员。"
    ),
    "months": gettext_lazy(
        "由当前等级和等级变动记录倒推每月末的人数；注册前的月份不计入该人员。"
        "当月按当前人数。"
    ),
    "promotions": gettext_lazy("只计已生效的晋级，按生效时间所在月份。"),
    "times": gettext_lazy(
        "按晋级记录计算，期间筛选晋级发生的时间。上一等级为居民时，自上一等级起"
        "的天数即自注册起的天数。"
    ),
}


class LevelReportIndexView(WagtailAdminTemplateMixin, TemplateView):
    """等级报表: the four reports, each with what it shows."""

    template_name = "volunteers/admin/level_report_index.html"
    page_title = gettext_lazy("等级报表")
    header_icon = "table"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_reader(request.user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            reports=[
                (reverse("level_reports:report", args=[name]), title, summary)
                for name, (title, summary, _form, _table) in REPORTS.items()
            ],
            **kwargs,
        )


class LevelReportView(WagtailAdminTemplateMixin, TemplateView):
    """One report on screen, filtered by dates where it takes them, with exports."""

    template_name = "volunteers/admin/level_report_table.html"
    header_icon = "table"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_reader(request.user)
        self.name = kwargs["name"]
        if self.name not in REPORTS:
            raise Http404
        self.title, _summary, form_class, self.table = REPORTS[self.name]
        self.form = form_class(request.GET or None)

    def get_page_title(self):
        return self.title

    @property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        return [
            HeaderButton(
                label,
                url=reverse("level_reports:export", args=[self.name, file_format])
                + suffix,
                icon_name="download",
            )
            for label, file_format in (
                (_("导出 CSV"), "csv"),
                (_("导出 Excel"), "xlsx"),
            )
        ]

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("level_reports:index"), "label": _("等级报表")},
            {"url": "", "label": self.title},
        ]

    def get_context_data(self, **kwargs):
        headers, rows = self.table(self.form)
        return super().get_context_data(
            form=self.form,
            headers=headers,
            rows=[[display(value) for value in row] for row in rows],
            note=NOTES.get(self.name, ""),
            **kwargs,
        )


@require_GET
def export_level_report(
    request: HttpRequest, name: str, file_format: str
) -> HttpResponse:
    """A report for the dates asked for, as CSV or XLSX."""
    check_reader(request.user)
    if name not in REPORTS or file_format not in ("csv", "xlsx"):
        raise Http404
    title, _summary, form_class, table = REPORTS[name]
    form = form_class(request.GET or None)
    period = form.period
    dates = "-".join(str(day) for day in (period.start, period.end) if day is not None)
    filename = "-".join(part for part in (str(title), dates) if part)
    if file_format == "csv":
        return exports.csv_response(table(form), filename)
    return exports.xlsx_response(table(form), filename, title=str(title))


urlpatterns = [
    path("", LevelReportIndexView.as_view(), name="index"),
    path("<str:name>/", LevelReportView.as_view(), name="report"),
    path("<str:name>/export/<str:file_format>/", export_level_report, name="export"),
]
