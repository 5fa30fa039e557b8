"""Wagtail admin for certificates, one menu group 证书: templates (a snippet with
revisions and the PDF preview), issued certificates (list, detail, revoke and
reinstate), issuing by class (bulk, manual, ZIP; views in certificates.admin_views)
and the record of background batches.

Certificates and batches are made only through certificates.services: their
permission policies refuse Wagtail's generic add, edit and delete to everyone and
map the admin's own actions (revoke, issue, start a batch) onto the Django
permissions that migration 0002 grants to 管理员."""

from django import forms
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

import django_filters

from certificates import admin_views
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateTemplate,
    Layout,
)
from courses.models import Enrollment, Tier, TrainingClass
from school.models import SchoolPage, User

# Certificate templates, certificates and batches share one submenu.
MENU_HOOK = "register_certificates_menu_item"


class ActionPermissionPolicy(ModelPermissionPolicy):
    """Admin actions mapped onto the model's Django permissions. An action missing
    from `actions` is refused to everyone, superusers too: these rows are created
    and changed only by certificates.services, never by a generic form."""

    actions: dict[str, str] = {}

    def user_has_permission(self, user, action):
        codename = self.actions.get(action)
        return bool(
            codename
            and user.is_active
            and user.has_perm(f"{self.app_label}.{codename}")
        )

    def users_with_any_permission(self, actions):
        codenames = {
            self.actions[action] for action in actions if action in self.actions
        }
        if not codenames:
            return User.objects.none()
        return self._get_users_with_any_permission_codenames(codenames)


class CertificatePermissionPolicy(ActionPermissionPolicy):
    """Read certificates with "view"; revoke, reinstate and issue one by hand with
    "change". Nobody adds, edits or deletes a certificate through a form."""

    actions = {
        "view": "view_certificate",
        "revoke": "change_certificate",
        "issue": "change_certificate",
    }


class CertificateBatchPermissionPolicy(ActionPermissionPolicy):
    """Read batches with "view"; start a bulk issue or a ZIP with "add"
    (action "start"). A batch is never edited: workers move it forward."""

    actions = {"view": "view_certificatebatch", "start": "add_certificatebatch"}


# --- 证书模板 -----------------------------------------------------------------------


EVERY_TIER = "every"


def school_filter(label) -> django_filters.ModelChoiceFilter:
    """A filter by school, the schools in tree order."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=SchoolPage.objects.order_by("path"), empty_label=_("全部")
    )


class CertificateTemplateFilterSet(WagtailFilterSet):
    school = school_filter(_("所属学校"))
    tier = django_filters.ChoiceFilter(
        label=_("适用层级"),
        choices=[(EVERY_TIER, _("所有层级")), *Tier.choices],
        method="filter_tier",
        empty_label=_("全部"),
        null_label=None,
        widget=forms.RadioSelect,
    )
    layout = django_filters.ChoiceFilter(
        label=_("版式"),
        choices=Layout.choices,
        empty_label=_("全部"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CertificateTemplate
        fields = ["school", "tier", "layout", "is_active"]

    def filter_tier(self, queryset, name, value):
        # A template for every tier stores tier "", which django-filter would
        # take for "no filter": the choice has a name of its own.
        return queryset.filter(tier="" if value == EVERY_TIER else value)


class CertificateTemplateViewSet(SnippetViewSet):
    """证书模板: how certificates look and read, with revisions and the real PDF as
    the preview (rendered from sample data by CertificateTemplate.serve_preview)."""

    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("证书模板")
    menu_hook = MENU_HOOK
    menu_order = 100
    admin_url_namespace = "certificate_templates"
    base_url_path = "certificates/templates"
    list_display = [
        "name",
        "school",
        Column(
            "tier",
            label=_("适用层级"),
            accessor=lambda t: t.get_tier_display() or _("所有层级"),
        ),
        "layout",
        Column(
            "validity",
            label=_("有效期"),
            accessor=lambda t: (
                _("%(n)s 个月") % {"n": t.validity_months}
                if t.validity_months
                else _("长期有效")
            ),
        ),
        StatusTagColumn(
            "is_active",
            label=_("状态"),
            accessor=lambda t: _("启用") if t.is_active else _("停用"),
            primary=lambda t: t.is_active,
        ),
        "updated_at",
    ]
    filterset_class = CertificateTemplateFilterSet
    search_fields = ["name", "heading"]
    search_backend_name = None
    ordering = ["school__path", "name"]
    copy_view_enabled = True

    def get_queryset(self, request):
        return CertificateTemplate.objects.select_related("school")


# --- 证书 ---------------------------------------------------------------------------

Standing = Certificate.Standing


class CertificateFilterSet(WagtailFilterSet):
    school = school_filter(_("签发学校"))
    standing = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=Standing.choices,
        method="filter_standing",
        empty_label=_("全部"),
        widget=forms.RadioSelect,
    )
    template = django_filters.ModelChoiceFilter(
        label=_("证书模板"),
        queryset=CertificateTemplate.objects.order_by("school_id", "name"),
        empty_label=_("全部"),
    )
    training_class = django_filters.ModelChoiceFilter(
        label=_("培训班"),
        field_name="enrollment__training_class",
        queryset=TrainingClass.objects.select_related("course")
        .filter(enrollments__certificates__isnull=False)
        .distinct(),
        empty_label=_("全部"),
    )
    issued_at = django_filters.DateFromToRangeFilter(
        label=_("签发日期"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Certificate
        fields = ["school", "standing", "template", "training_class", "issued_at"]

    def filter_standing(self, queryset, name, value):
        today = timezone.localdate()
        if value == Standing.REVOKED:
            return queryset.filter(status=Certificate.Status.REVOKED)
        if value == Standing.EXPIRED:
            return queryset.filter(
                status=Certificate.Status.VALID, valid_until__lt=today
            )
        return queryset.valid_on(today)


def _standing_label(certificate: Certificate) -> str:
    return Standing(certificate.standing()).label


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return Certificate.objects.select_related("template", "school", "holder")

    @cached_property
    def header_buttons(self):
        if not admin_views.user_may_issue(self.request.user):
            return []
        return [
            HeaderButton(
                _("按班级签发"),
                url=reverse("certificate_classes:index"),
                icon_name="clipboard-list",
            )
        ]


class CertificateViewSet(ModelViewSet):
    """证书: every issued certificate, searchable by number, name and phone; the
    detail page shows what it prints (its frozen snapshot), its events and the
    revoke / reinstate forms."""

    model = Certificate
    # Not in Wagtail's reference index: a row per certificate pointing at its
    # school and template is written on every issue (two queries each in a bulk
    # issue of thousands) and would only make a template's usage a list of
    # thousands; the certificates of a template are this list, filtered.
    add_to_reference_index = False
    name = "issued_certificates"
    url_prefix = "certificates/issued"
    icon = "success"
    menu_label = _("证书")
    menu_order = 200
    index_view_class = CertificateIndexView
    inspect_view_class = admin_views.CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "number",
        Column("holder_name", label=_("持证人"), accessor="snapshot.holder_name"),
        Column(
            "course",
            label=_("课程"),
            accessor=lambda c: (
                f"{c.snapshot.get('course_title') or c.title} "
                f"{c.snapshot.get('class_label', '')}"
            ),
        ),
        "template",
        Column(
            "issued_at",
            label=_("签发时间"),
            accessor=lambda c: date_format(localtime(c.issued_at), "Y-m-d H:i"),
            sort_key="issued_at",
        ),
        Column(
            "valid_until",
            label=_("有效期至"),
            accessor=lambda c: (
                date_format(c.valid_until, "Y-m-d") if c.valid_until else _("长期有效")
            ),
            sort_key="valid_until",
        ),
        StatusTagColumn(
            "standing",
            label=_("状态"),
            accessor=_standing_label,
            primary=lambda c: c.standing() == Standing.VALID,
        ),
    ]
    filterset_class = CertificateFilterSet
    search_fields = [
        "number",
        "snapshot__holder_name",
        "holder__real_name",
        "holder__phone",
    ]
    search_backend_name = None
    form_fields = ["number"]  # never shown: the policy allows no add or edit

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", admin_views.revoke, name="revoke"),
            path("reinstate/<int:pk>/", admin_views.reinstate, name="reinstate"),
        ]


# --- 按班级签发 ---------------------------------------------------------------------


def _count_per_class(queryset, class_field: str) -> Subquery:
    """How many rows of `queryset` belong to the outer training class."""
    return Subquery(
        queryset.filter(**{class_field: OuterRef("pk")})
        .order_by()
        .values(class_field)
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


class CertificateClassIndexView(IndexView):
    """The classes whose trainees have completed, with how many certificates each
    has: the way into bulk issue, manual issue and the ZIP of a class."""

    model = TrainingClass
    any_permission_required = None  # TrainingClass's policy is for its own admin
    page_title = _("按班级签发")
    header_icon = "clipboard-list"
    search_fields = ["course__title"]
    search_backend_name = None
    default_ordering = "-starts_on"

    def dispatch(self, request, *args, **kwargs):
        admin_views.require_issuer(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
        return (
            TrainingClass.objects.select_related("course")
            .annotate(
                completed=_count_per_class(completed, "training_class"),
                certified=_count_per_class(
                    Certificate.objects.all(), "enrollment__training_class"
                ),
            )
            .filter(completed__gt=0)
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("培训班"),
                accessor=str,
                get_url=lambda c: reverse("certificate_classes:issue", args=[c.pk]),
            ),
            Column("level", label=_("班级级别"), accessor="get_level_display"),
            Column("starts_on", label=_("开班日期"), sort_key="starts_on"),
            Column("ends_on", label=_("结业日期"), sort_key="ends_on"),
            Column("completed", label=_("已结业"), sort_key="completed"),
            Column(
                "certified",
                label=_("已签发证书"),
                accessor=lambda c: c.certified or 0,
                sort_key="certified",
            ),
        ]


class CertificateClassViewSet(ViewSet):
    """按班级签发: per training class, bulk issue to completed trainees, manual issue
    to one, the ZIP of the class's PDFs and each batch's progress."""

    name = "certificate_classes"
    url_prefix = "certificates/classes"
    icon = "clipboard-list"
    menu_label = _("按班级签发")
    menu_order = 300

    @cached_property
    def menu_item_class(self):
        def is_shown(_self, request):
            return admin_views.user_may_issue(request.user)

        return type("CertificateClassMenuItem", (MenuItem,), {"is_shown": is_shown})

    def get_urlpatterns(self):
        index = CertificateClassIndexView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
        )
        results = CertificateClassIndexView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
            results_only=True,
        )
        return [
            path("", index, name="index"),
            path("results/", results, name="index_results"),
            path("<int:pk>/", admin_views.BulkIssueView.as_view(), name="issue"),
            path(
                "<int:pk>/issue-one/",
                admin_views.ManualIssueView.as_view(),
                name="issue_one",
            ),
            path("<int:pk>/archive/", admin_views.start_archive, name="archive"),
            path(
                "<int:pk>/batches/<int:batch_pk>/",
                admin_views.BatchProgressView.as_view(),
                name="batch",
            ),
            path(
                "<int:pk>/batches/<int:batch_pk>/status.json",
                admin_views.batch_status,
                name="batch_status",
            ),
            path(
                "<int:pk>/batches/<int:batch_pk>/download/",
                admin_views.download_archive,
                name="download",
            ),
        ]


# --- 批处理 -------------------------------------------------------------------------


class CertificateBatchIndexView(IndexView):
    def get_base_queryset(self):
        return CertificateBatch.objects.select_related(
            "training_class__course", "template", "requested_by"
        )

    def get_inspect_url(self, instance):
        # "Inspecting" a batch is its progress page, under its class.
        return admin_views.batch_url(instance)


class CertificateBatchViewSet(ModelViewSet):
    """批处理: the record of bulk issues and ZIP builds, read-only."""

    model = CertificateBatch
    name = "certificate_batches"
    url_prefix = "certificates/batches"
    icon = "tasks"
    menu_label = _("批处理")
    menu_order = 400
    index_view_class = CertificateBatchIndexView
    inspect_view_enabled = False
    copy_view_enabled = False
    list_display = [
        "kind",
        "training_class",
        "template",
        Column(
            "progress",
            label=_("进度"),
            accessor=lambda b: (
                f"{b.done}/{b.total}"
                + (_("（失败 %(n)s）") % {"n": b.failed} if b.failed else "")
            ),
        ),
        "status",
        "requested_by",
        DateColumn("created_at", label=_("创建时间"), sort_key="created_at"),
    ]
    list_filter = ["kind", "status"]
    form_fields = ["kind"]  # never shown: the policy allows no add or edit

    def get_permissions_to_register(self):
        # "view" too (the inspect view is off, so Wagtail would leave it out of the
        # group editor): it is what reading the batches needs.
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(CertificateBatch)
        )


class CertificatesViewSetGroup(ViewSetGroup):
    """The 证书 menu: the template snippet joins it through MENU_HOOK."""

    menu_label = _("证书")
    menu_icon = "success"
    menu_order = 160
    submenu_hook = MENU_HOOK
    items = (CertificateViewSet, CertificateClassViewSet, CertificateBatchViewSet)
