"""Forms of community activities: proposing one (organise:propose), the space
staff's decision and the cancellations (organise:*), and the admin's space form
with its staff chosen by phone number.

Forms only read and shape what was typed; the rules (opening hours, conflicts,
seats, audience, rights) are volunteers.activities', whose refusals the views put
on the form."""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm

from school.models import Level, OrgUnit, User, normalise_phone
from volunteers.activities import MAX_SESSIONS, Slot, weekly_slots
from volunteers.models import Activity, CommunitySpace, Redemption

GRANT = "grant"
RIGHT_PREFIX = "right-"


def _required(message: str) -> dict:
    return {"required": message, "invalid": message}


def space_choices(spaces) -> list:
    """Active spaces grouped by community, each labelled with its capacity."""
    groups: dict[str, list] = {}
    for space in spaces:
        groups.setdefault(space.community.name, []).append(
            (
                str(space.pk),
                _("%(name)s（容纳 %(capacity)s 人）")
                % {"name": space.name, "capacity": space.capacity},
            )
        )
    return [("", _("请选择社区空间")), *groups.items()]


def right_label(right: Redemption) -> str:
    expires = date_format(timezone.localtime(right.expires_at), "Y-m-d")
    return _("%(title)s（%(expires)s 前有效）") % {
        "title": right.reward.title,
        "expires": expires,
    }


class ProposeForm(forms.Form):
    """发起社区活动: what, where, how many, when (a weekly series), for whom, on
    which basis. `slots()` gives the sessions to propose."""

    title = forms.CharField(
        label=gettext_lazy("活动名称"),
        max_length=60,
        error_messages=_required(gettext_lazy("请填写活动名称。")),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("活动类型"),
        choices=Activity.Kind.choices,
        error_messages={
            **_required(gettext_lazy("请选择活动类型。")),
            "invalid_choice": gettext_lazy("请选择列表中的活动类型。"),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("活动介绍"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("写明活动内容、适合谁参加、需要带什么。"),
        error_messages=_required(gettext_lazy("请填写活动介绍。")),
    )
    space = forms.TypedChoiceField(
        label=gettext_lazy("社区空间"),
        coerce=int,
        help_text=gettext_lazy("各空间的开放时间列在下方，请在开放时间内安排场次。"),
        error_messages={
            **_required(gettext_lazy("请选择社区空间。")),
            "invalid_choice": gettext_lazy("该空间已暂停开放，请选择其他空间。"),
        },
    )
    seats = forms.IntegerField(
        label=gettext_lazy("名额"),
        min_value=1,
        help_text=gettext_lazy("不能超过所选空间的容纳人数。"),
        error_messages={
            "required": gettext_lazy("请填写名额。"),
            "invalid": gettext_lazy("名额须是整数。"),
            "min_value": gettext_lazy("名额至少 1 人。"),
        },
    )
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("第一场的日期。"),
        error_messages=_required(gettext_lazy("请填写日期，例如 2026-03-18。")),
    )
    starts = forms.TimeField(
        label=gettext_lazy("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=_required(gettext_lazy("请填写开始时间，例如 19:00。")),
    )
    ends = forms.TimeField(
        label=gettext_lazy("结束时间"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=_required(gettext_lazy("请填写结束时间，例如 21:00。")),
    )
    weeks = forms.IntegerField(
        label=gettext_lazy("每周重复（周数）"),
        min_value=1,
        max_value=MAX_SESSIONS,
        initial=1,
        help_text=gettext_lazy("同一时间连续举办几周；只办一次填 1。"),
        error_messages={
            "required": gettext_lazy("请填写重复的周数（1 到 52）。"),
            "invalid": gettext_lazy("重复的周数须是 1 到 52 的整数。"),
            "min_value": gettext_lazy("重复的周数须是 1 到 52 的整数。"),
            "max_value": gettext_lazy("重复的周数须是 1 到 52 的整数。"),
        },
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("面向"),
        choices=Activity.Audience.choices,
        initial=Activity.Audience.EVERYONE,
        widget=forms.RadioSelect,
        error_messages={
            **_required(gettext_lazy("请选择活动面向的居民。")),
            "invalid_choice": gettext_lazy("请选择活动面向的居民。"),
        },
    )
    audience_unit = forms.ModelChoiceField(
        label=gettext_lazy("面向的社区或街道"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择（面向本社区居民时必选）"),
        error_messages={"invalid_choice": gettext_lazy("请选择列表中的社区或街道。")},
    )
    audience_level = forms.ChoiceField(
        label=gettext_lazy("面向等级"),
        choices=[("", gettext_lazy("请选择（面向指定等级时必选）")), *Level.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请选择列表中的等级。")},
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("使用依据"),
        widget=forms.RadioSelect,
        error_messages={
            **_required(gettext_lazy("请选择空间使用依据。")),
            "invalid_choice": gettext_lazy(
                "所选空间使用权已不可用（已使用、已过期或已用于另一项申请），"
                "请重新选择。"
            ),
        },
    )

    def __init__(self, *args, spaces, rights, **kwargs):
        super().__init__(*args, **kwargs)
        self.spaces = {space.pk: space for space in spaces}
        self.rights = {right.pk: right for right in rights}
        self.fields["space"].choices = space_choices(spaces)
        self.fields["audience_unit"].queryset = OrgUnit.objects.of_kind(
            OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY
        )
        self.fields["audience_unit"].label_from_instance = lambda unit: (
            f"{unit.name}（{unit.get_kind_display()}）"
        )
        self.fields["basis"].choices = [
            *((f"{RIGHT_PREFIX}{r.pk}", right_label(r)) for r in rights),
            (GRANT, Activity.Basis.GRANT.label),
        ]
        if not rights:
            self.fields["basis"].initial = GRANT

    def clean_space(self) -> CommunitySpace:
        space = self.spaces.get(self.cleaned_data["space"])
        if space is None:  # closed since the form was opened
            raise ValidationError(_("该空间已暂停开放，请选择其他空间。"))
        return space

    def clean(self):
        cleaned = super().clean()
        basis = cleaned.get("basis") or ""
        cleaned["right"] = None
        if basis.startswith(RIGHT_PREFIX):
            cleaned["right"] = self.rights.get(int(basis[len(RIGHT_PREFIX) :]))
            cleaned["basis"] = Activity.Basis.RIGHT
        return cleaned

    def slots(self) -> list[Slot]:
        day = self.cleaned_data["date"]
        starts_at = timezone.make_aware(
            datetime.combine(day, self.cleaned_data["starts"])
        )
        ends_at = timezone.make_aware(datetime.combine(day, self.cleaned_data["ends"]))
        return weekly_slots(starts_at, ends_at, self.cleaned_data["weeks"])

    def proposal(self) -> dict:
        """The keyword arguments of activities.propose_activity (but the
        organiser)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "space": data["space"],
            "seats": data["seats"],
            "slots": self.slots(),
            "audience": data["audience"],
            "audience_unit": data.get("audience_unit"),
            "audience_level": data.get("audience_level") or "",
            "basis": data["basis"],
            "right": data["right"],
        }


class NoteForm(forms.Form):
    """通过: an optional note to the organiser."""

    note = forms.CharField(
        label=gettext_lazy("审批意见（选填）"), max_length=200, required=False
    )


class ReasonForm(forms.Form):
    """不通过 / 取消: a reason the organiser (or the booked residents) read."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("请填写原因。"),
            "max_length": gettext_lazy("原因最多 200 字。"),
        },
    )


# --- the admin -------------------------------------------------------------------------

PHONE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class SpaceAdminForm(WagtailAdminModelForm):
    """A space in the admin, its opening hours inline, its staff (审批人员) typed
    as phone numbers: a select of thousands of users is unusable, and a phone
    names one account."""

    staff_phones = forms.CharField(
        label=gettext_lazy("审批人员手机号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "社区工作人员的手机号，每行一个（也可用逗号或顿号分隔）；"
            "他们审批在本空间举办的活动。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].queryset = OrgUnit.objects.of_kind(
                OrgUnit.Kind.COMMUNITY
            )
        if self.instance.pk and not self.is_bound:
            phones = self.instance.staff.order_by("real_name").values_list(
                "phone", flat=True
            )
            self.initial["staff_phones"] = "\n".join(phones)

    def clean_staff_phones(self) -> list[User]:
        phones = [
            normalise_phone(value)
            for value in PHONE_SEPARATORS.split(self.cleaned_data["staff_phones"])
            if value.strip()
        ]
        people = {
            person.phone: person
            for person in User.objects.filter(phone__in=phones, is_active=True)
        }
        unknown = [phone for phone in dict.fromkeys(phones) if phone not in people]
        if unknown:
            raise ValidationError(
                _(
                    "找不到以下手机号对应的有效账号：%(phones)s。"
                    "请核对号码，或先在“用户”中为其开通账号。"
                ),
                params={"phones": "、".join(unknown)},
            )
        return list({p.pk: p for p in (people[phone] for phone in phones)}.values())

    def save(self, commit=True):
        space = super().save(commit=commit)
        if commit:
            space.staff.set(self.cleaned_data["staff_phones"])
        return space
