"""The admin report pages both volunteer report sections share: an index of the
reports, one report on screen with its filters and one export, each driven by a
registry of reports and a reader predicate. Every view is a GET that changes nothing.
"""

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from courses.report_views import PeriodForm, display
from courses.reports import exports
from school.models import User


@dataclass(frozen=True)
class ReportSection:
    """One admin report section: its URL namespace, title, reports and who may read it.

    `reports` maps a name to (title, what it shows, form class, table of a form);
    anyone `reads` refuses gets a 404 on every URL, the same as a missing page.
    """

    namespace: str
    title: str
    reports: Mapping[str, tuple]
    reads: Callable[[User], bool]
    index_template: str
    notes: Mapping[str, str] = field(default_factory=dict)
    # None shows every row; else how many to show before pointing to the export,
    # asked at each request so the section's module keeps the number.
    page_rows: Callable[[], int] | None = None

    def check_reader(self, user: User) -> None:
        """A 404 for anyone who may not read these reports."""
        if not self.reads(user):
            raise Http404

    def report(self, name: str) -> tuple:
        """The registry entry for name, or a 404 for a report that does not exist."""
        if name not in self.reports:
            raise Http404
        return self.reports[name]


class SectionIndexView(WagtailAdminTemplateMixin, TemplateView):
    """A section's reports, each with what it shows."""

    section: ReportSection | None = None  # given by section_urls
    header_icon = "table"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.section.check_reader(request.user)

    def get_template_names(self):
        return [self.section.index_template]

    def get_page_title(self):
        return self.section.title

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.section.title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            reports=[
                (
                    reverse(f"{self.section.namespace}:report", args=[name]),
                    title,
                    summary,
                )
                for name, (
                    title,
                    summary,
                    _form,
                    _table,
                ) in self.section.reports.items()
            ],
            **kwargs,
        )


class SectionReportView(WagtailAdminTemplateMixin, TemplateView):
    """One report on screen, filtered by the dates (and community) it takes, with its
    exports."""

    section: ReportSection | None = None  # given by section_urls
    template_name = "volunteers/admin/report_table.html"
    header_icon = "table"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.section.check_reader(request.user)
        self.name = kwargs["name"]
        self.title, _summary, form_class, self.table = self.section.report(self.name)
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
                url=reverse(
                    f"{self.section.namespace}:export", args=[self.name, file_format]
                )
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
            {
                "url": reverse(f"{self.section.namespace}:index"),
                "label": self.section.title,
            },
            {"url": "", "label": self.title},
        ]

    def get_context_data(self, **kwargs):
        headers, rows = self.table(self.form)
        page_rows = self.section.page_rows and self.section.page_rows()
        if page_rows is not None:
            # A year of a busy district's rows is for the file, not the screen.
            rows = list(itertools.islice(rows, page_rows + 1))
            more = len(rows) > page_rows
            rows = rows[:page_rows]
        else:
            more = False
        return super().get_context_data(
            form=self.form,
            headers=headers,
            rows=[[display(value) for value in row] for row in rows],
            more=more,
            page_rows=page_rows,
            note=self.section.notes.get(self.name, ""),
            **kwargs,
        )


def export_filename(title: str, form: PeriodForm) -> str:
    """The export's file name: the report's title, the community if one was chosen
    and the dates asked for."""
    parts = [str(title)]
    community = getattr(form, "community_value", None)
    if community is not None:
        parts.append(community.name)
    period = form.period
    dates = "-".join(str(day) for day in (period.start, period.end) if day is not None)
    if dates:
        parts.append(dates)
    return "-".join(parts)


def section_urls(section: ReportSection) -> list:
    """The index, report and export URLs of a section, named index/report/export."""

    @require_GET
    def export_report(
        request: HttpRequest, name: str, file_format: str
    ) -> HttpResponse:
        """A report for the dates (and community) asked for, as CSV or XLSX."""
        section.check_reader(request.user)
        if file_format not in ("csv", "xlsx"):
            raise Http404
        title, _summary, form_class, table = section.report(name)
        form = form_class(request.GET or None)
        filename = export_filename(title, form)
        if file_format == "csv":
            return exports.csv_response(table(form), filename)
        return exports.xlsx_response(table(form), filename, title=str(title))

    return [
        path("", SectionIndexView.as_view(section=section), name="index"),
        path("<str:name>/", SectionReportView.as_view(section=section), name="report"),
        path("<str:name>/export/<str:file_format>/", export_report, name="export"),
    ]
