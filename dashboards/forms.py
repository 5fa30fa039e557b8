"""The dashboards' filters: a period (from–to) and an org unit, as a GET form."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.reports import Period
from dashboards.figures import Filters, default_period
from school.models import OrgUnit

# The longest period a dashboard covers (its weekly heat maps have a column a week).
MAX_DAYS = 3 * 366


def unit_choices() -> list[tuple[OrgUnit, str]]:
    """Every street, community and grid with its full name (街道 › 社区 › 网格), in
    tree order; one query."""
    units = list(
        OrgUnit.objects.of_kind(
            OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID
        ).order_by("path")
    )
    names = {unit.path: unit.name for unit in units}
    choices = []
    for unit in units:
        ancestors = [
            names[unit.path[:end]]
            for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
            if unit.path[:end] in names
        ]
        choices.append((unit, " › ".join(ancestors)))
    return choices


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = forms.ChoiceField(
        label=gettext_lazy("单位（街道、社区或网格）"),
        required=False,
    )

    def __init__(self, data=None, *, today: date | None = None):
        self.default = default_period(today)
        super().__init__(
            data,
            initial={"start": self.default.start, "end": self.default.end},
        )
        choices = unit_choices()
        self.units = {str(unit.pk): unit for unit, _name in choices}
        self.fields["unit"].choices = [
            ("", _("全部单位")),
            *((str(unit.pk), name) for unit, name in choices),
        ]

    def clean(self):
        data = super().clean()
        start = data.get("start") or self.default.start
        end = data.get("end") or self.default.end
        if start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期，请重新选择。"))
        if end - start > timedelta(days=MAX_DAYS):
            raise forms.ValidationError(
                _("时间范围最长 3 年，请缩短开始日期与结束日期之间的间隔。")
            )
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        """The filters asked for; the last 12 months, all units when the input is
        invalid (the form shows why)."""
        if not self.is_bound or not self.is_valid():
            return Filters(self.default)
        data = self.cleaned_data
        return Filters(
            Period(data["start"], data["end"]), self.units.get(data["unit"] or "")
        )
