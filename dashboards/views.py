"""数据看板: every figure as a chart with its numbers beneath, for the period and
org unit asked for (a GET form), and each figure as a CSV or XLSX file.

The same figures and the same template core serve two pages: the admin page
(administrators and superusers, wagtail_hooks.py) and /dashboard/ on the site
(administrators, superusers and school leaders). To anyone else either is a 404,
as if it did not exist; an anonymous visitor of /dashboard/ is sent to log in.
Every view is a GET that changes nothing.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.reports import exports
from dashboards.figures import FIGURES, Figure, all_figures
from dashboards.forms import DashboardFilterForm
from dashboards.permissions import user_reads_admin_dashboard, user_reads_dashboard

FORMATS = ("csv", "xlsx")
# A heat map cell's shade: 0 (under 20 %) … 5 (100 %).
SHADES = 5


def display(value) -> str:
    """A table cell on screen: — for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | float):
        return f"{value:g}"
    return str(value)


def shade(value) -> str:
    """The CSS class of a heat map cell by its percentage."""
    if value is None:
        return "heat-none"
    return f"heat-{min(SHADES, int(value) * SHADES // 100)}"


def figure_rows(figure: Figure) -> list[tuple[str, list[tuple[str, str]]]]:
    """The table's rows as (name, [(text, css class), …])."""
    rows = []
    for name, *cells in figure.rows:
        rows.append(
            (
                str(name),
                [
                    (display(cell), shade(cell) if figure.is_heat_map else "")
                    for cell in cells
                ],
            )
        )
    return rows


def dashboard_context(request: HttpRequest) -> dict:
    """The filters and every figure, ready for templates/dashboards/includes/."""
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    figures = [
        {
            "figure": figure,
            "chart_id": f"chart-data-{figure.name}",
            "chart_data": figure.chart_data(),
            "rows": figure_rows(figure),
            "exports": [
                (label, reverse("dashboards:export", args=[figure.name, fmt]) + suffix)
                for label, fmt in (("CSV", "csv"), ("Excel", "xlsx"))
            ],
        }
        for figure in all_figures(filters)
    ]
    return {"form": form, "filters": filters, "figures": figures}


# --- the site page --------------------------------------------------------------


def check_reader(user) -> None:
    """A 404 for anyone who may not read the dashboard, the same as a missing page."""
    if not user_reads_dashboard(user):
        raise Http404


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/dashboard/: the figures for school leaders (and administrators)."""
    check_reader(request.user)
    return render(request, "dashboards/home.html", dashboard_context(request))


@require_GET
@login_required
def export(request: HttpRequest, name: str, file_format: str) -> HttpResponse:
    """One figure, for the filters asked for, as a CSV or XLSX file."""
    check_reader(request.user)
    build = FIGURES.get(name)
    if build is None or file_format not in FORMATS:
        raise Http404
    filters = DashboardFilterForm(request.GET or None).filters()
    figure = build(filters)
    filename = (
        f"{figure.title}_{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"
    )
    if file_format == "csv":
        return exports.csv_response(figure.table(), filename)
    return exports.xlsx_response(figure.table(), filename, title=figure.title)


# --- the admin page -------------------------------------------------------------


class AdminDashboardView(WagtailAdminTemplateMixin, TemplateView):
    """数据看板 in the Wagtail admin: the same figures, for administrators."""

    page_title = gettext_lazy("数据看板")
    header_icon = "table"
    template_name = "dashboards/admin/dashboard.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not user_reads_admin_dashboard(request.user):
            raise Http404

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**dashboard_context(self.request), **kwargs)
