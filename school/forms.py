from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from school.models import OrgUnit, User, normalise_phone, phone_validator
from school.passwords import MAX_PASSWORD_LENGTH

ACCOUNT_FIELDS = ["phone", "real_name", "email", "org_unit", "level"]


class OrgUnitChoiceIterator(ModelChoiceIterator):
    """The units grouped by community, each group labelled 「街道 › 社区」: the
    community itself (社区本级) first, then its grids as 「东湖社区 · 第1网格」, so
    that no two options read alike. Streets are read in the same query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        units = OrgUnit.objects.filter(
            Q(kind=OrgUnit.Kind.STREET) | Q(pk__in=self.queryset.values("pk"))
        ).order_by("path")
        street = community = None
        group_label, group = "", []
        for unit in units:
            if unit.kind == OrgUnit.Kind.STREET:
                street = unit
                continue
            if unit.kind != OrgUnit.Kind.GRID:
                if group:
                    yield group_label, group
                community, group = unit, []
                in_street = street is not None and unit.path.startswith(street.path)
                group_label = f"{street.name} › {unit.name}" if in_street else unit.name
            elif community is None or not unit.path.startswith(community.path):
                community = None  # a grid outside any community: on its own
            unit.street_name = street.name if street else ""
            unit.community_name = community.name if community else ""
            group.append(self.choice(unit))
        if group:
            yield group_label, group


class OrgUnitSelect(forms.Select):
    """A <select> of units by community (no script needed), each option naming its
    street and community in data- attributes: static/js/org-unit-picker.js turns it
    into three linked lists, 街道 › 社区 › 网格."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "data-org-unit-picker": "",
                # The script's words, translated here (it holds none).
                "data-label-street": _("街道"),
                "data-label-community": _("社区"),
                "data-label-grid": _("网格"),
                "data-placeholder-street": _("请选择街道"),
                "data-placeholder-community": _("请选择社区"),
                "data-placeholder-grid": _("请选择网格"),
                "data-label-community-level": _("社区本级（不分网格）"),
                **(attrs or {}),
            }
        )

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        unit = getattr(value, "instance", None)
        if unit is not None:
            option["attrs"].update(
                {
                    "data-street": unit.street_name,
                    "data-community": unit.community_name,
                    "data-kind": unit.kind,
                    "data-name": unit.name,
                }
            )
        return option


class OrgUnitChoiceField(forms.ModelChoiceField):
    """Communities and grids, grouped by community under their street, each grid
    option naming its community so that 「第1网格」 never appears twice alike."""

    iterator = OrgUnitChoiceIterator
    widget = OrgUnitSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", OrgUnit.objects.placeable().order_by("path"))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("请选择所属社区或网格。"),
                "invalid_choice": _("请从列表中选择社区或网格。"),
            },
        )
        super().__init__(**kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        community = getattr(obj, "community_name", "")
        if obj.kind == OrgUnit.Kind.COMMUNITY:
            return _("%(community)s · 社区本级（不分网格）") % {"community": obj.name}
        if community:
            return f"{community} · {obj.name}"
        return obj.name


class PrivacyConsentField(forms.BooleanField):
    """The 个人信息保护说明 accepted: a required check box, unticked by default."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("我已阅读并同意《个人信息保护说明》"))
        kwargs.setdefault(
            "help_text", _("说明全文在下方，可展开阅读；不同意则无法注册或激活账号。")
        )
        kwargs.setdefault(
            "error_messages",
            {"required": _("请阅读并勾选同意《个人信息保护说明》。")},
        )
        super().__init__(**kwargs)


class PhoneField(forms.CharField):
    default_validators = [phone_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号"))
        # Room for "138 0013 8000" or "+86…" as typed; normalise_phone and the
        # validator bring it to 11 digits or say what is wrong.
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("error_messages", {"required": _("请填写手机号。")})
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_phone(value) if value else value


def clean_real_name(value: str) -> str:
    """A real name: no markup, no control characters, not blank."""
    value = " ".join(value.split())
    if not value:
        raise forms.ValidationError(_("请填写姓名。"), code="required")
    if any(ch in value for ch in "<>{}\\/\"'`&;") or not value.isprintable():
        raise forms.ValidationError(
            _("姓名只能包含文字、间隔号和空格，不能包含 < > 等特殊符号。"),
            code="invalid_name",
        )
    return value


class NewPasswordFields(forms.Form):
    """A new password typed twice, checked against the password validators for the
    person it will belong to (new_password_owner)."""

    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不能与手机号或姓名太相似。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def new_password_owner(self) -> User:
        """The person the password is checked against (not too like their phone):
        an unsaved one with the phone typed, unless the form has a real one."""
        return User(phone=self.cleaned_data.get("phone") or "")

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("两次输入的密码不一致。"), code="mismatch")
        return password2

    def _post_clean(self) -> None:
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(
                    password, self.new_password_owner()
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)


class SignupForm(NewPasswordFields, forms.ModelForm):
    """Sign-up: phone, real name, community or grid, password twice."""

    phone = PhoneField(help_text=_("用于登录，每个手机号只能注册一次。"))
    org_unit = OrgUnitChoiceField(
        label=_("所属社区/网格"), empty_label=_("请选择社区或网格")
    )
    privacy_consent = PrivacyConsentField()

    class Meta:
        model = User
        fields = ["phone", "real_name", "email", "org_unit"]
        widgets = {"real_name": forms.TextInput(attrs={"autocomplete": "name"})}
        error_messages = {"real_name": {"required": _("请填写姓名。")}}

    def clean_real_name(self) -> str:
        return clean_real_name(self.cleaned_data["real_name"])

    def validate_unique(self) -> None:
        # register_trainee decides, and says whether a taken phone is an imported
        # account waiting for its activation code.
        pass

    def new_password_owner(self) -> User:
        return self.instance

    def account_fields(self) -> dict:
        """What services.register_trainee takes from this form."""
        data = self.cleaned_data
        fields = ("phone", "real_name", "org_unit", "email")
        return {**{name: data[name] for name in fields}, "password": data["password1"]}


class ActivationForm(NewPasswordFields):
    """An imported person claims their account: phone, the code from the slip the
    school handed out, and a new password twice."""

    phone = PhoneField(help_text=_("学校导入名单时登记的手机号。"))
    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        help_text=_("激活单上的 8 位激活码，例如 K7PX-3M9Q，不区分大小写。"),
        error_messages={"required": _("请填写激活码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        help_text=_("选填，用于找回密码和接收证书通知。"),
    )
    privacy_consent = PrivacyConsentField()
    field_order = ["phone", "code", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("设置密码")

    def account_fields(self) -> dict:
        """What services.activate_account takes from this form."""
        data = self.cleaned_data
        fields = ("phone", "code", "email")
        return {**{name: data[name] for name in fields}, "password": data["password1"]}


class PhoneLoginForm(AuthenticationForm):
    """Log in with a phone number; the messages say so in plain words."""

    username = PhoneField(widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("手机号或密码不正确。请注意密码区分大小写。"),
        "inactive": _("此账号已停用，请联系管理员。"),
    }


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login, with its password field labelled (Wagtail leaves the
    label to the field name, which shows "Password" in every language)."""

    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"placeholder": _("输入密码")}),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves. Level and phone are not theirs."""

    org_unit = OrgUnitChoiceField(label=_("所属社区/网格"))

    class Meta:
        model = User
        fields = ["real_name", "email", "org_unit"]
        error_messages = {"real_name": {"required": _("请填写姓名。")}}

    def clean_real_name(self) -> str:
        return clean_real_name(self.cleaned_data["real_name"])


class TraineeImportForm(forms.Form):
    file = forms.FileField(
        label=_("学员名单文件"),
        help_text=_(
            "CSV（UTF-8）或 XLSX 文件。表头：姓名、手机号、社区、网格（可选）、"
            "邮箱（可选）。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("只支持 .csv 或 .xlsx 文件。"))
        return upload


class _AccountFieldsMixin(forms.Form):
    """Wagtail's user forms, with our fields instead of first/last name.

    A `forms.Form` so that its declared fields count: on a plain mixin, `email`
    would be ignored and Wagtail's required email field would win. Only superusers
    may flip the superuser switch: anyone else who may manage people could
    otherwise make themselves one (wagtail/wagtail#14100).
    """

    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("电子邮箱"))

    def __init__(self, *args, for_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_superuser" in self.fields and not (for_user and for_user.is_superuser):
            # Disabled, not removed: the form keeps the stored value, ignores the POST.
            self.fields["is_superuser"].disabled = True
        if "level" in self.fields:
            # Shown, never edited: a level moves only on the ladder (promotion,
            # retirement, demotion), which writes who and why (a LevelEvent).
            self.fields["level"].disabled = True
            self.fields["level"].help_text = _(
                "等级随晋级、退出或降级变化，不能在此修改；"
                "退出或降级请到“等级调整”办理。"
            )

    def clean_real_name(self) -> str:
        return clean_real_name(self.cleaned_data["real_name"])


class UserCreationForm(_AccountFieldsMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        model = User
        fields = [*ACCOUNT_FIELDS, "is_superuser", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}


class UserEditForm(_AccountFieldsMixin, WagtailUserEditForm):
    class Meta(WagtailUserEditForm.Meta):
        model = User
        fields = [*ACCOUNT_FIELDS, "is_active", "is_superuser", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}
