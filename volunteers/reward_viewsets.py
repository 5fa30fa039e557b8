"""The admin viewsets of rewards, grouped by volunteers.wagtail_hooks.

商户 / 共建单位 (with the accounts that mark their codes), 权益 (stock changed
only by a signed adjustment applied as one conditional UPDATE, never below
zero), and 兑换记录 (read-only, filterable), in the 志愿服务 menu group. Who may
see and change them comes from the group permissions (volunteers migration
0002): administrators."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from courses.session_viewsets import InspectOnlyViewSet
from school import roles
from school.models import User
from volunteers.models import Merchant, Redemption, Reward


class MerchantViewSet(ModelViewSet):
    """商户 / 共建单位: who offers rewards; its 核销人员 mark codes on their phone."""

    model = Merchant
    icon = "tag"
    menu_label = _("商户 / 共建单位")
    menu_order = 300
    url_prefix = "volunteers/merchants"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = [
        "name",
        "kind",
        "org_unit",
        "address",
        "contact_phone",
        "staff",
        "is_active",
    ]
    list_display = ["name", "kind", "org_unit", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]
    search_backend_name = None
    ordering = ["name"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "staff":
            # Only merchant accounts: the role is what opens the phone page's menu.
            kwargs["queryset"] = User.objects.filter(
                groups__name=roles.MERCHANT, is_active=True
            ).order_by("real_name")
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["help_text"] = _(
                "只能选择具有“爱心商户”角色的用户；选中的人可以在手机上核销本商户的兑换码。"
            )
        return super().formfield_for_dbfield(db_field, **kwargs)


class RewardForm(WagtailAdminModelForm):
    """A new reward states its stock; an existing one changes it only by a
    signed adjustment (补货 +, 减少 −), applied to the stock as it is at that
    moment, so redemptions meanwhile are not overwritten."""

    stock_change = forms.IntegerField(
        label=_("库存增减"),
        required=False,
        help_text=_("正数为补货，负数为减少；库存不能少于 0。留空表示不变。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("stock", None)
            self.fields["stock_change"].help_text = _(
                "当前库存 %(stock)s。正数为补货，负数为减少；库存不能少于 0。留空表示不变。"
            ) % {"stock": self.instance.stock}
        else:
            self.fields.pop("stock_change")

    def clean_stock_change(self):
        change = self.cleaned_data.get("stock_change") or 0
        if self.instance.pk and change < 0:
            current = Reward.objects.values_list("stock", flat=True).get(
                pk=self.instance.pk
            )
            if current + change < 0:
                raise ValidationError(
                    _("当前库存只有 %(stock)s，最多减少 %(stock)s。"),
                    params={"stock": current},
                )
        return change

    def save(self, commit=True):
        instance = super().save(commit=False)
        if not instance.pk:
            if commit:
                instance.save()
            return instance
        # Every column but the stock: a redemption may have moved it since the
        # form was opened.
        instance.save(
            update_fields=[
                f.attname
                for f in instance._meta.concrete_fields
                if not f.primary_key and f.name != "stock"
            ]
        )
        change = self.cleaned_data.get("stock_change") or 0
        if change:
            moved = Reward.objects.filter(pk=instance.pk, stock__gte=-change).update(
                stock=F("stock") + change
            )
            if not moved:
                raise ValidationError(_("库存不足，不能减少这么多。"))
        instance.refresh_from_db(fields=["stock"])
        return instance


class RewardViewSet(ModelViewSet):
    """权益: the catalogue, with cost, stock, window, per-person limit and the
    lowest level that may redeem."""

    model = Reward
    icon = "pick"
    menu_label = _("权益")
    menu_order = 400
    url_prefix = "volunteers/rewards"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = [
        "merchant",
        "title",
        "description",
        "category",
        "points_cost",
        "stock",
        "valid_from",
        "valid_until",
        "per_person_limit",
        "minimum_level",
        "code_valid_days",
        "is_active",
    ]
    list_display = [
        "title",
        "merchant",
        "category",
        "points_cost",
        "stock",
        "minimum_level",
        "is_active",
    ]
    list_filter = ["category", "minimum_level", "is_active", "merchant"]
    search_fields = ["title", "description"]
    search_backend_name = None
    ordering = ["merchant__name", "points_cost"]

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=RewardForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


class RedemptionViewSet(InspectOnlyViewSet):
    """兑换记录: every redemption, filterable by status, reward and date; read
    only — codes are marked on the merchant page, cancelled by the volunteer."""

    model = Redemption
    add_to_reference_index = False
    icon = "list-ul"
    menu_label = _("兑换记录")
    menu_order = 500
    url_prefix = "volunteers/redemptions"
    add_to_admin_menu = False
    list_display = [
        "code",
        "reward",
        "person",
        "points",
        "status",
        "created_at",
        "expires_at",
        "used_at",
    ]
    list_filter = ["status", "reward", "created_at"]
    search_fields = ["code", "person__real_name", "reward__title"]
    search_backend_name = None
    ordering = ["-created_at"]
