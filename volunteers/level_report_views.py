"""等级报表 in the Wagtail admin: the level funnel per org unit and over time,
promotions per month and the time to each level, each with CSV and XLSX exports.

The figures cover everyone on the ladder, so they are for administrators (管理员)
and superusers only; to anyone else every URL is a 404, as if it did not exist.
Every view is a GET that changes nothing.
"""

from django.utils.translation import gettext_lazy

from courses.report_views import PeriodForm
from school.models import User
from school.permissions import user_is_school_admin
from volunteers import level_reports
from volunteers.report_pages import ReportSection, section_urls


class UnitForm(PeriodForm):
    """The funnel per unit is today's: it takes no dates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.clear()


def user_reads_level_reports(user: User) -> bool:
    """等级报表 cover everyone on the ladder: administrators and superusers only."""
    return user_is_school_admin(user)


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


SECTION = ReportSection(
    namespace="level_reports",
    title=gettext_lazy("等级报表"),
    reports=REPORTS,
    reads=user_reads_level_reports,
    index_template="volunteers/admin/report_index.html",
    notes=NOTES,
)

urlpatterns = section_urls(SECTION)
