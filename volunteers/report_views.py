"""志愿服务报表 in the Wagtail admin: the residents' committees' list of
redemptions (公示, names masked), points issued and spent per month, the service
items that earned most and the rewards' stock, each with CSV and XLSX exports.

The figures span every community, merchant and volunteer, so they are for
administrators (管理员, who hold the ledger's view permission) and superusers.
Coordinators decide service records on their front-end queue and do not enter
the admin; to anyone else every report URL is a 404, as if it did not exist.
Every view is a GET that changes nothing.
"""

from django import forms
from django.utils.translation import gettext_lazy

from courses.report_views import PeriodForm
from courses.reports import exports
from school.models import OrgUnit, User
from volunteers import reports
from volunteers.report_pages import ReportSection, section_urls

PAGE_ROWS = 500


def user_reads_volunteer_reports(user: User) -> bool:
    """志愿服务报表 span every community and merchant: administrators (who may
    view the points ledger) and superusers only."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("volunteers.view_pointentry")


class CommitteeForm(PeriodForm):
    community = forms.ModelChoiceField(
        label=gettext_lazy("社区"),
        queryset=OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).order_by("path"),
        required=False,
        empty_label=gettext_lazy("全部社区"),
    )

    @property
    def community_value(self) -> OrgUnit | None:
        return self.cleaned_data.get("community") if self.is_valid() else None


# --- the tables, shared by pages and exports --------------------------------------------


def committee_table(form: CommitteeForm) -> exports.Table:
    return reports.committee_redemptions(form.period, community=form.community_value)


def points_table(form: PeriodForm) -> exports.Table:
    return reports.points_table(reports.points_by_month(form.period))


def items_table(form: PeriodForm) -> exports.Table:
    return reports.items_table(reports.top_items(form.period))


def stock_table(form: PeriodForm) -> exports.Table:
    return reports.stock_table(reports.reward_stock(form.period))


REPORTS = {
    # name: (title, what it shows, form, table)
    "committee": (
        gettext_lazy("兑换公示"),
        gettext_lazy("各社区居民每月兑换的权益（姓名已隐去部分），供居委会公示"),
        CommitteeForm,
        committee_table,
    ),
    "points": (
        gettext_lazy("积分发放与消耗"),
        gettext_lazy("每月发放和消耗的积分，按类型分列"),
        PeriodForm,
        points_table,
    ),
    "items": (
        gettext_lazy("热门服务事项"),
        gettext_lazy("期间内计入积分最多的服务事项：记录数、人数、时长和积分"),
        PeriodForm,
        items_table,
    ),
    "stock": (
        gettext_lazy("权益库存"),
        gettext_lazy("各项权益是否在架、剩余库存，以及期间内的兑换、使用和取消"),
        PeriodForm,
        stock_table,
    ),
}
NOTES = {
    "committee": gettext_lazy("按兑换时间所在月份列出；社区按兑换人所属单位确定。"),
    "points": gettext_lazy(
        "发放含服务积分、取消兑换退回和增加积分的更正；消耗含兑换、过期和扣减积分的"
        "更正。净增 = 发放合计 − 消耗合计。"
    ),
    "items": gettext_lazy(
        "只计已通过的服务记录，按服务日期；超出每日或每月上限的积分不计入。"
    ),
    "stock": gettext_lazy(
        "在架：已上架、提供方启用且在兑换期内。兑换次数按兑换时间计入期间。"
    ),
}


SECTION = ReportSection(
    namespace="volunteer_reports",
    title=gettext_lazy("志愿服务报表"),
    reports=REPORTS,
    reads=user_reads_volunteer_reports,
    index_template="volunteers/admin/report_index.html",
    notes=NOTES,
    page_rows=lambda: PAGE_ROWS,
)

urlpatterns = section_urls(SECTION)
