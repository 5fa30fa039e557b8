"""Forms of the volunteers pages: logging a service (for oneself or, by a
coordinator, for a volunteer they cover) and deciding records in the queue. The
rules live in volunteers.services; a form only shapes the input and puts a
service's refusal beside the field it concerns."""

from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import PointItem
from volunteers.services import MAX_PHOTO_BYTES

# A service's refusal code -> the field it belongs beside.
FIELD_OF_CODE = {
    "future": "served_on",
    "item_inactive": "item",
    "no_hours": "hours",
    "photo_too_large": "photo",
    "photo_type": "photo",
}


def item_choices() -> list:
    """Point items in force today, grouped by category for the select."""
    items = PointItem.objects.active_on(timezone.localdate()).order_by(
        "category", "name"
    )
    choices: list = [("", _("请选择积分事项"))]
    for category, group in groupby(items, key=lambda item: item.category):
        options = [(item.pk, f"{item.name}（{_points_label(item)}）") for item in group]
        choices.append((category or _("其他"), options))
    return choices


def _points_label(item: PointItem) -> str:
    if item.unit == PointItem.Unit.HOUR:
        return _("%(points)s 分/小时") % {"points": item.points}
    return _("%(points)s 分/次") % {"points": item.points}


class ServiceLogForm(forms.Form):
    """我的服务 › 登记服务."""

    item = forms.TypedChoiceField(label=_("积分事项"), coerce=int)
    served_on = forms.DateField(
        label=_("服务日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        help_text=_("0 到 24 小时，可填一位小数，如 1.5。"),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    place = forms.CharField(label=_("服务地点"), max_length=100)
    description = forms.CharField(
        label=_("服务内容"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        help_text=_(
            "JPG、PNG 或 WebP 格式，不超过 5 MB。仅您本人、协调员和管理员可见。"
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = item_choices()
        self.fields["served_on"].initial = timezone.localdate()
        self.fields["served_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_item(self) -> PointItem:
        item = PointItem.objects.filter(pk=self.cleaned_data["item"]).first()
        if item is None:
            raise ValidationError(_("请选择积分事项。"))
        return item

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("照片不能超过 5 MB，请压缩后重新上传。"))
        return photo

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's refusal beside its field (or above the form)."""
        field = FIELD_OF_CODE.get(getattr(error, "code", None) or "")
        self.add_error(field, error.messages)


class ServiceLogForVolunteerForm(ServiceLogForm):
    """Coordinator › 代为登记: the same fields and the volunteer's phone number."""

    phone = forms.CharField(
        label=_("志愿者手机号"),
        max_length=20,
        help_text=_("您负责单位中的志愿者。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    field_order = ["phone"]

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteers = volunteers

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        person = self.volunteers.filter(phone=phone).first()
        if person is None:
            raise ValidationError(
                _("您负责的单位中没有使用该手机号的志愿者，请核对号码。")
            )
        return person


class DecisionForm(forms.Form):
    """The queue's bulk decision: which records, 通过 or 不通过, and the reason
    for a rejection."""

    APPROVE, REJECT = "approve", "reject"

    record = forms.TypedMultipleChoiceField(coerce=int, choices=())
    action = forms.ChoiceField(choices=[(APPROVE, _("通过")), (REJECT, _("不通过"))])
    reason = forms.CharField(label=_("不通过的原因"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the view keeps only records in the user's scope.
        self.fields["record"].valid_value = lambda value: True
        self.fields["record"].error_messages["required"] = _("请先勾选要审核的记录。")

    def clean(self):
        data = super().clean()
        if data.get("action") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", _("请填写不通过的原因，志愿者会看到它。"))
        return data
