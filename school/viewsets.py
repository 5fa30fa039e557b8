"""Wagtail admin for the institution: people, the org tree, practice sites, imports."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, TitleColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.views import users as wagtail_user_views

from school import forms as school_forms
from school import roles
from school.models import OrgUnit, PracticeSite, TraineeImport, User
from school.permissions import user_can_edit_account, user_can_import_trainees


class UserCreateView(wagtail_user_views.CreateView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class StaffAccountGuardMixin:
    """Only a superuser changes a staff account (staff, superuser or anyone with a
    role): whoever can set its e-mail or password can become that account. A
    school administrator manages plain trainee accounts (and their own)."""

    def dispatch(self, request, *args, **kwargs):
        if not user_can_edit_account(request.user, self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserEditView(StaffAccountGuardMixin, wagtail_user_views.EditView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class UserDeleteView(StaffAccountGuardMixin, wagtail_user_views.DeleteView):
    pass


class UserViewSet(wagtail_user_views.UserViewSet):
    """Wagtail's user admin with phone, 姓名, unit and level."""

    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView
    create_template_name = "school/admin/user_create.html"
    edit_template_name = "school/admin/user_edit.html"
    ordering = "phone"

    def get_form_class(self, for_update=False):
        if for_update:
            return school_forms.UserEditForm
        return school_forms.UserCreationForm


class OrgUnitForm(WagtailAdminModelForm):
    """Adds a unit under its parent; the kind must fit the parent's."""

    parent = forms.ModelChoiceField(
        label=_("上级单位"),
        queryset=OrgUnit.objects.exclude(kind=OrgUnit.Kind.GRID).order_by("path"),
        required=False,
        help_text=_("区没有上级；街道在区下，社区在街道下，网格在社区下。"),
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Moving a unit would move everyone under it: not an edit-form matter.
            self.fields["parent"].disabled = True
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["kind"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        parent, kind = cleaned.get("parent"), cleaned.get("kind")
        if parent is None and kind and kind != OrgUnit.Kind.DISTRICT:
            self.add_error("parent", _("只有「区」可以没有上级单位。"))
        if parent is not None and kind and OrgUnit.CHILD_KIND.get(parent.kind) != kind:
            self.add_error(
                "kind",
                _("「%(parent)s」下只能添加%(kind)s。")
                % {
                    "parent": parent.name,
                    "kind": OrgUnit.Kind(OrgUnit.CHILD_KIND[parent.kind]).label,
                },
            )
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        parent = self.cleaned_data.get("parent")
        unit = self.instance
        if parent is None:
            return OrgUnit.add_root(instance=unit)
        return parent.add_child(instance=unit)


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit
    icon = "site"
    menu_label = _("组织架构")
    menu_order = 100
    list_display = ["full_name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    list_per_page = 100
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return OrgUnitForm


class PracticeSiteForm(WagtailAdminModelForm):
    class Meta:
        model = PracticeSite
        fields = [
            "name",
            "address",
            "org_unit",
            "capacity",
            "hosts",
            "opening_notes",
            "is_active",
        ]
        widgets = {"hosts": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hosts"].queryset = User.objects.filter(
            groups__name__in=[roles.SITE_HOST, roles.SCHOOL_ADMIN]
        ).distinct()
        self.fields["org_unit"].queryset = OrgUnit.objects.exclude(
            kind=OrgUnit.Kind.GRID
        ).order_by("path")
        # The database refuses 0 seats (practice_site_has_at_least_one_seat); say so
        # next to the field instead of naming the constraint.
        capacity = self.fields["capacity"]
        capacity.validators.append(MinValueValidator(1, _("座位数至少为 1。")))
        capacity.widget.attrs["min"] = 1


class PracticeSiteViewSet(ModelViewSet):
    model = PracticeSite
    icon = "home"
    menu_label = _("现场实践教学点")
    menu_order = 200
    list_display = [
        "name",
        "org_unit",
        "address",
        "capacity",
        # A tick or a cross named 是/否, not the word True or False.
        BooleanColumn("is_active", label=_("启用"), sort_key="is_active"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    list_export = ["name", "address", "org_unit", "capacity", "is_active"]
    export_filename = "practice-sites"
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return PracticeSiteForm


class ImportRecordPermissionPolicy(ModelPermissionPolicy):
    """Import records are an audit trail: administrators read them, nobody edits."""

    def user_has_permission(self, user, action):
        return action == "view" and user_can_import_trainees(user)

    def users_with_any_permission(self, actions):
        return User.objects.none()


class TraineeImportIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("导入学员"), url=reverse("school_import_trainees"), icon_name="upload"
            )
        ]


class TraineeImportViewSet(ModelViewSet):
    """The record of past imports; new imports go through the upload view."""

    model = TraineeImport
    index_view_class = TraineeImportIndexView
    icon = "upload"
    menu_label = _("学员导入")
    menu_order = 300
    list_display = [
        "filename",
        "actor",
        "rows",
        TitleColumn(
            "created",
            label=_("新建（激活码）"),
            get_url=lambda record: reverse("school_import_codes", args=[record.pk]),
        ),
        "updated",
        "imported_at",
    ]
    form_fields = ["filename"]  # never shown: the policy allows no add or edit
    inspect_view_enabled = True
    copy_view_enabled = False


class SchoolViewSetGroup(ViewSetGroup):
    menu_label = _("学校")
    menu_icon = "group"
    menu_order = 150
    items = (OrgUnitViewSet, PracticeSiteViewSet, TraineeImportViewSet)
