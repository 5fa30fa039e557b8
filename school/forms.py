from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from school.models import OrgUnit, User, normalise_phone, phone_validator
from school.passwords import MAX_PASSWORD_LENGTH

ACCOUNT_FIELDS = ["phone", "real_name", "email", "org_unit", "level"]


class OrgUnitChoiceField(forms.ModelChoiceField):
    """Communities and grids, labelled with their street so that names never clash."""

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
        indent = "\u3000" if obj.kind == OrgUnit.Kind.GRID else ""
        return f"{indent}{obj.name}"


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
        raise NotImplementedError

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
    field_order = ["phone", "code", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("设置密码")

    def new_password_owner(self) -> User:
        return User(phone=self.cleaned_data.get("phone") or "")


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
