"""Wagtail admin for community activities, in the 志愿服务 menu group
(volunteers.wagtail_hooks puts these viewsets in it):

- 社区空间 (CommunitySpaceViewSet): administrators add and edit a community's
  spaces, their opening hours inline on the same form, and the staff who approve
  their use, typed as phone numbers (a select of thousands of accounts would be
  unusable);
- 社区活动 (ActivityViewSet): every activity, read only, filterable by status and
  space. Activities change only through volunteers.activities (the organiser's
  and the staff's pages under /activities/organise/).

Who may use them is the model permissions (volunteers migration 0007):
administrators."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from courses.session_viewsets import InspectOnlyViewSet
from school.models import OrgUnit
from volunteers.activity_forms import SpaceAdminForm
from volunteers.models import Activity, CommunitySpace, OpeningHours


class OpeningHoursForm(WagtailAdminModelForm):
    """One row of a space's opening hours: it closes after it opens."""

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes <= opens:
            # On the field, so that the database constraint is not checked
            # again with its own, less helpful message.
            self.add_error("closes", ValidationError(_("关闭时间须晚于开放时间。")))
        return cleaned


class OpeningHoursPanel(InlinePanel):
    """The space's opening hours, edited as rows of its own form."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = OpeningHoursForm
        return options


class CommunitySpaceFilterSet(WagtailFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=gettext_lazy("所属社区"),
        queryset=OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY),
        empty_label=gettext_lazy("全部社区"),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("类型"),
        choices=CommunitySpace.Kind.choices,
        empty_label=gettext_lazy("全部"),
        widget=forms.RadioSelect,
    )
    is_active = django_filters.BooleanFilter(
        label=gettext_lazy("开放使用"),
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = CommunitySpace
        fields = []


class CommunitySpaceIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("community")
            .annotate(staff_count=Count("staff", distinct=True))
        )


class CommunitySpaceViewSet(ModelViewSet):
    """社区空间: a community's rooms, their capacity, opening hours and the staff
    who approve activities in them."""

    model = CommunitySpace
    name = "community_spaces"
    url_prefix = "volunteers/spaces"
    icon = "home"
    menu_label = gettext_lazy("社区空间")
    menu_order = 700
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = CommunitySpaceIndexView
    filterset_class = CommunitySpaceFilterSet
    list_display = [
        "name",
        "community",
        Column("kind", label=gettext_lazy("类型"), accessor="get_kind_display"),
        "capacity",
        Column("staff_count", label=gettext_lazy("审批人员")),
        BooleanColumn("is_active", label=gettext_lazy("开放使用")),
    ]
    search_fields = ["name", "address"]
    search_backend_name = None
    ordering = ["community__path", "name"]
    edit_handler = ObjectList(
        [
            FieldPanel("community"),
            FieldPanel("name"),
            FieldPanel("kind"),
            FieldPanel("address"),
            FieldPanel("capacity"),
            FieldPanel("description"),
            FieldPanel("staff_phones"),
            FieldPanel("is_active"),
            OpeningHoursPanel(
                "opening_hours",
                panels=[
                    FieldPanel("weekday"),
                    FieldPanel("opens"),
                    FieldPanel("closes"),
                ],
                label=gettext_lazy("开放时间"),
                heading=gettext_lazy("开放时间"),
                help_text=gettext_lazy(
                    "每行一个时段；同一天可有多个时段，例如 09:00—12:00 和 14:00—21:30。"
                    "没有时段的日子不开放。"
                ),
            ),
        ],
        base_form_class=SpaceAdminForm,
    )


class ActivityFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=Activity.Status.choices,
        empty_label=gettext_lazy("全部"),
        widget=forms.RadioSelect,
    )
    space = django_filters.ModelChoiceFilter(
        label=gettext_lazy("社区空间"),
        queryset=CommunitySpace.objects.select_related("community"),
        empty_label=gettext_lazy("全部空间"),
    )

    class Meta:
        model = Activity
        fields = []


class ActivityIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("space__community", "organiser")
            .annotate(session_count=Count("sessions"))
        )


class ActivityInspectView(InspectView):
    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        # An empty field (no decision yet, no right) reads as a dash, not None.
        return "—" if value is None or value == "" else value


class ActivityViewSet(InspectOnlyViewSet):
    """社区活动: every activity with its status, space, organiser and how many
    sessions; read only."""

    model = Activity
    add_to_reference_index = False
    name = "community_activities"
    url_prefix = "volunteers/activities"
    icon = "date"
    menu_label = gettext_lazy("社区活动")
    menu_order = 710
    add_to_admin_menu = False
    index_view_class = ActivityIndexView
    inspect_view_class = ActivityInspectView
    filterset_class = ActivityFilterSet
    list_display = [
        "title",
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
        "space",
        Column(
            "organiser",
            label=gettext_lazy("发起人"),
            accessor=lambda activity: activity.organiser.real_name,
        ),
        Column("session_count", label=gettext_lazy("场次数")),
        "proposed_at",
    ]
    inspect_view_fields = [
        "title",
        "kind",
        "description",
        "space",
        "organiser",
        "seats",
        "audience",
        "audience_unit",
        "audience_level",
        "basis",
        "right",
        "status",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "cancelled_at",
        "cancel_reason",
    ]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["-proposed_at"]
