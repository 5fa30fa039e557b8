"""The admin viewsets of volunteer service, grouped by volunteers.wagtail_hooks.

积分事项 and 协调员负责范围 for administrators, in a 志愿服务 menu group. Who may
see, add, change and delete them comes from the group permissions (volunteers
migration 0002): administrators all, coordinators may view point items."""

from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from wagtail.admin import messages
from wagtail.admin.views.generic import DeleteView
from wagtail.admin.viewsets.model import ModelViewSet

from school import roles
from school.models import User
from volunteers.models import CoordinatorScope, PointItem


class PointItemDeleteView(DeleteView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            # Service records keep their item (and what it earned) for good.
            messages.error(
                self.request,
                _("该积分事项已有服务记录，不能删除。如不再使用，请编辑并取消“启用”。"),
            )
            return redirect(self.get_success_url())


class PointItemViewSet(ModelViewSet):
    """积分事项: what each kind of service earns, its caps and dates in force. An
    item in use is switched off (启用) rather than deleted: records keep it."""

    model = PointItem
    icon = "list-ul"
    menu_label = _("积分事项")
    menu_order = 100
    name = "volunteer_point_items"
    url_prefix = "volunteers/point-items"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    delete_view_class = PointItemDeleteView
    form_fields = [
        "name",
        "category",
        "description",
        "unit",
        "points",
        "daily_cap",
        "monthly_cap",
        "active_from",
        "active_until",
        "is_active",
    ]
    list_display = [
        "name",
        "category",
        "unit",
        "points",
        "daily_cap",
        "monthly_cap",
        "is_active",
    ]
    list_filter = ["unit", "is_active"]
    search_fields = ["name", "category"]
    search_backend_name = None
    ordering = ["category", "name"]


class CoordinatorScopeViewSet(ModelViewSet):
    """协调员负责范围: which org unit (with everything beneath it) a coordinator
    decides service records for."""

    model = CoordinatorScope
    icon = "group"
    menu_label = _("协调员负责范围")
    menu_order = 200
    name = "volunteer_coordinator_scopes"
    url_prefix = "volunteers/coordinator-scopes"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["coordinator", "org_unit"]
    list_display = ["coordinator", "org_unit"]
    ordering = ["org_unit__path", "coordinator__real_name"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "coordinator":
            # Only holders of the role: a scope on anyone else would decide nothing.
            kwargs["queryset"] = User.objects.filter(
                groups__name=roles.COORDINATOR, is_active=True
            ).order_by("real_name")
            kwargs["help_text"] = _("只能选择具有“志愿服务协调员”角色的用户。")
        if db_field.name == "org_unit":
            kwargs["help_text"] = _("协调员负责该单位及其下属全部单位的志愿者。")
        return super().formfield_for_dbfield(db_field, **kwargs)
