"""Wagtail admin for class sessions (实践场次) and bookings (预约记录), in the 课程
menu group.

Who sees what is one rule per model, in its permission policy, so the menu, the
lists, the buttons and the views all ask the same question:
- administrators (user_manages_every_session) see and manage every session and
  booking;
- a site host (教学点负责人) sees and manages the sessions at the sites they host,
  schedules new ones only there, and sees only those sessions' bookings;
- an instructor sees, read only, the sessions they teach.
Everything else is a 404. Sessions are created, edited and cancelled through
courses.scheduling and courses.booking, never by saving a form's copy: a session's
counters move only in the engine.
"""

from django import forms
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    InspectView,
)
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

import django_filters

from courses import booking, scheduling
from courses import session_admin_views as views
from courses.models import Booking, ClassSession, TrainingClass
from courses.permissions import (
    user_can_view_full_phone,
    user_hosts_site,
    user_manages_every_session,
)
from school import roles
from school.models import PracticeSite, User

# --- who sees what ----------------------------------------------------------------


def _hosted_sites(user: User):
    return PracticeSite.objects.filter(hosts=user).values("pk")


class ClassSessionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions say what a role may do with sessions at all; the instance
    decides where: administrators everywhere, a site host at their sites (view,
    add, change), an instructor (view) the sessions they teach."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user_manages_every_session(user):
            return True
        if action in ("add", "change", "view") and user_hosts_site(
            user, instance.practice_site
        ):
            return True
        return action == "view" and instance.instructors.filter(pk=user.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        sessions = super().instances_user_has_any_permission_for(user, actions)
        if user_manages_every_session(user):
            return sessions
        visible = Q(practice_site__in=_hosted_sites(user))
        if "view" in actions and self.user_has_permission(user, "view"):
            visible |= Q(
                pk__in=ClassSession.objects.filter(instructors=user).values("pk")
            )
        return sessions.filter(visible)


class BookingPermissionPolicy(ModelPermissionPolicy):
    """Bookings of class sessions: administrators all of them, a site host those
    of the sessions at their sites."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user_manages_every_session(user):
            return True
        session = getattr(instance.session, "classsession", None)
        return session is not None and user_hosts_site(user, session.practice_site)

    def instances_user_has_any_permission_for(self, user, actions):
        bookings = super().instances_user_has_any_permission_for(user, actions)
        if user_manages_every_session(user):
            return bookings
        return bookings.filter(
            session__in=ClassSession.objects.filter(
                practice_site__in=_hosted_sites(user)
            ).values("pk")
        )


def visible_sessions(user: User):
    policy = policy_registry.get_by_type(ClassSession)
    return policy.instances_user_has_any_permission_for(
        user, ["view", "change", "delete"]
    )


# --- forms --------------------------------------------------------------------------


class TrainingClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, training_class):
        return str(training_class)


def add_service_errors(form: forms.Form, error: ValidationError, user: User) -> None:
    """Put a scheduling refusal on the form: a conflict on the start time, naming
    the colliding session with a link to it (when the user may edit it), other
    refusals on their field (or above the form)."""
    if isinstance(error, scheduling.SessionConflictError):
        policy = policy_registry.get_by_type(ClassSession)
        for conflict in error.conflicts:
            message = conflict.message
            if policy.user_has_permission_for_instance(
                user, "change", conflict.session
            ):
                url = reverse("class_sessions:edit", args=[conflict.session.pk])
                message = format_html(
                    '{} <a href="{}">{}</a>', message, url, _("查看该场次")
                )
            form.add_error("starts_at", ValidationError(message))
        return
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ClassSessionForm(WagtailAdminModelForm):
    """A session of a class, at a practice site or online. Left empty, the seats
    are the site's capacity and the booking cut-off is 24 hours before the start.
    On a new session, 每周重复 makes a weekly series in one go."""

    training_class = TrainingClassChoiceField(
        label=gettext_lazy("培训班"), queryset=TrainingClass.objects.none()
    )
    meeting_url = forms.URLField(
        label=gettext_lazy("会议链接"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("线上场次必填。"),
        error_messages={"invalid": gettext_lazy("请输入有效的网址。")},
    )
    repeat = forms.IntegerField(
        label=gettext_lazy("每周重复次数"),
        min_value=1,
        max_value=scheduling.MAX_OCCURRENCES,
        initial=1,
        help_text=gettext_lazy(
            "1 表示只建这一场；例如填 6，则连续 6 周、每周同一时间各建一场。"
        ),
        error_messages={
            "required": gettext_lazy("请填写重复次数。"),
            "invalid": gettext_lazy("重复次数须为整数。"),
            "min_value": gettext_lazy("重复次数至少为 1。"),
            "max_value": gettext_lazy("重复次数最多为 %(limit_value)s。"),
        },
    )

    class Meta:
        model = ClassSession
        fields = [
            "training_class",
            "title",
            "practice_site",
            "meeting_url",
            "starts_at",
            "ends_at",
            "booking_closes_at",
            "seats",
            "instructors",
            "notes",
            "quota_release_at",
        ]
        widgets = {
            "instructors": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        if current is not None:
            del self.fields["repeat"]
        # A session keeps its class, site and teachers even if they have since
        # closed or lost the role: saving must not silently drop them.
        self.fields["training_class"].queryset = (
            TrainingClass.objects.filter(
                Q(is_active=True) | Q(pk=current.training_class_id if current else None)
            )
            .select_related("course")
            .order_by("-starts_on", "pk")
        )
        sites = PracticeSite.objects.filter(
            Q(is_active=True) | Q(pk=current.practice_site_id if current else None)
        )
        site = self.fields["practice_site"]
        if self.for_user is None or not user_manages_every_session(self.for_user):
            # A site host schedules at the sites they host, and only there.
            sites = sites.filter(hosts=self.for_user) if self.for_user else sites.none()
            site.required = True
            site.empty_label = None
            site.help_text = _("只能选择您负责的教学点。")
        else:
            site.empty_label = _("线上（不在教学点）")
        site.queryset = sites.order_by("name")
        self.fields["instructors"].queryset = (
            User.objects.filter(
                Q(groups__name=roles.INSTRUCTOR, is_active=True)
                | Q(pk__in=current.instructors.values("pk") if current else [])
            )
            .distinct()
            .order_by("real_name")
        )
        seats = self.fields["seats"]
        seats.required = False
        seats.help_text = _("留空则等于教学点容量；不能超过教学点容量。线上场次必填。")
        seats.widget.attrs["min"] = 1
        closes = self.fields["booking_closes_at"]
        closes.required = False
        closes.help_text = _("留空则为开始前 24 小时。截止后学员不能再在线预约或取消。")

    def clean(self):
        cleaned = super().clean()
        needed = ("starts_at", "ends_at")
        if any(cleaned.get(name) is None for name in needed):
            return cleaned
        try:
            plan = scheduling.check_plan(
                starts_at=cleaned["starts_at"],
                ends_at=cleaned["ends_at"],
                practice_site=cleaned.get("practice_site"),
                meeting_url=cleaned.get("meeting_url", ""),
                seats=cleaned.get("seats"),
                booking_closes_at=cleaned.get("booking_closes_at"),
                quota_release_at=cleaned.get("quota_release_at"),
            )
        except ValidationError as error:
            add_service_errors(self, error, self.for_user)
        else:
            # The defaults, so the model's own checks see a whole session.
            cleaned["seats"] = plan.seats
            cleaned["booking_closes_at"] = plan.booking_closes_at
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned fields as courses.scheduling takes them."""
        data = self.cleaned_data
        return {
            "training_class": data["training_class"],
            "title": data.get("title", ""),
            "practice_site": data.get("practice_site"),
            "meeting_url": data.get("meeting_url", ""),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "booking_closes_at": data.get("booking_closes_at"),
            "seats": data.get("seats"),
            "instructors": list(data.get("instructors") or []),
            "notes": data.get("notes", ""),
            "quota_release_at": data.get("quota_release_at"),
        }


# --- the session views ----------------------------------------------------------------


def _when(session) -> str:
    return views.session_time(session)


def _seats(session) -> str:
    return f"{session.confirmed_count}/{session.seats}"


def _site_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    """The practice sites of the sessions the user sees."""
    return django_filters.ModelChoiceFilter(
        label=gettext_lazy("实践教学点"),
        field_name=field_name,
        queryset=lambda request: (
            PracticeSite.objects.filter(
                pk__in=visible_sessions(request.user).values("practice_site")
            ).order_by("name")
            if request
            else PracticeSite.objects.none()
        ),
        empty_label=gettext_lazy("全部"),
    )


def _class_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    """The training classes of the sessions the user sees."""
    return django_filters.ModelChoiceFilter(
        label=gettext_lazy("培训班"),
        field_name=field_name,
        queryset=lambda request: (
            TrainingClass.objects.filter(
                pk__in=visible_sessions(request.user).values("training_class")
            ).select_related("course")
            if request
            else TrainingClass.objects.none()
        ),
        empty_label=gettext_lazy("全部"),
    )


def _date_filter(label, field_name: str) -> django_filters.DateFromToRangeFilter:
    return django_filters.DateFromToRangeFilter(
        label=label, field_name=field_name, widget=DateRangePickerWidget
    )


class ClassSessionFilterSet(WagtailFilterSet):
    practice_site = _site_filter("practice_site")
    training_class = _class_filter("training_class")
    date = _date_filter(gettext_lazy("日期"), "starts_at")
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("是否取消"),
        choices=[
            ("live", gettext_lazy("未取消")),
            ("cancelled", gettext_lazy("已取消")),
        ],
        empty_label=gettext_lazy("全部"),
        widget=forms.RadioSelect,
        method="filter_state",
    )

    class Meta:
        model = ClassSession
        fields = []

    def filter_state(self, queryset, name, value):
        if value == "cancelled":
            return queryset.filter(cancelled_at__isnull=False)
        if value == "live":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


class SessionObjectMixin:
    """Generic views fetch only the sessions this user may act on (`actions`);
    any other is a 404, the same as one that does not exist."""

    object_actions = ["change"]

    def sessions(self):
        policy = policy_registry.get_by_type(ClassSession)
        return policy.instances_user_has_any_permission_for(
            self.request.user, self.object_actions
        )

    def get_queryset(self):
        return self.sessions()


class SessionBaseObjectMixin(SessionObjectMixin):
    """The same for the listing views about one session (history, usage), whose
    get_queryset lists something else."""

    def get_queryset(self):
        return super(SessionObjectMixin, self).get_queryset()

    def get_base_object_queryset(self):
        return self.sessions()


class ClassSessionIndexView(IndexView):
    default_ordering = "starts_at"

    def get_base_queryset(self):
        return (
            visible_sessions(self.request.user)
            .select_related("training_class__course", "practice_site")
            .annotate(
                waitlisted=Count(
                    "bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)
                ),
                bookings_made=Count("bookings"),
            )
        )

    @cached_property
    def changeable_site_ids(self) -> set[int] | None:
        """Sites whose sessions this user may edit (None: every session)."""
        user = self.request.user
        if not self.user_has_permission("change"):
            return set()
        if user_manages_every_session(user):
            return None
        return set(PracticeSite.objects.filter(hosts=user).values_list("pk", flat=True))

    def may_change(self, session) -> bool:
        sites = self.changeable_site_ids
        return sites is None or session.practice_site_id in sites

    def get_edit_url(self, instance):
        if self.may_change(instance):
            return reverse("class_sessions:edit", args=[instance.pk])
        return None

    def get_inspect_url(self, instance):
        return reverse("class_sessions:roster", args=[instance.pk])

    def get_delete_url(self, instance):
        if instance.bookings_made:
            return None
        return super().get_delete_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = []
        if edit_url := self.get_edit_url(instance):
            buttons.append(
                MenuItem(_("编辑"), url=edit_url, icon_name="edit", priority=10)
            )
        buttons.append(
            MenuItem(
                _("场次花名册"),
                url=self.get_inspect_url(instance),
                icon_name="list-ul",
                priority=20,
            )
        )
        buttons.append(
            MenuItem(
                _("单位预留"),
                url=reverse("class_sessions:quotas", args=[instance.pk]),
                icon_name="group",
                priority=30,
            )
        )
        if self.may_change(instance) and not instance.is_cancelled:
            buttons.append(
                MenuItem(
                    _("取消场次"),
                    url=reverse("class_sessions:cancel", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        if delete_url := self.get_delete_url(instance):
            buttons.append(
                MenuItem(_("删除"), url=delete_url, icon_name="bin", priority=50)
            )
        return buttons


class ClassSessionCreateView(CreateView):
    """新建场次: one, or a weekly series, through scheduling.create_sessions (all
    or nothing; every conflict named on the form)."""

    def get_initial(self):
        initial = super().get_initial()
        if training_class := self.request.GET.get("training_class"):
            initial["training_class"] = training_class
        return initial

    def form_valid(self, form):
        # Not wrapped in a transaction here: create_sessions is its own durable one.
        self.form = form
        try:
            created = scheduling.create_sessions(
                actor=self.request.user,
                repeat=form.cleaned_data["repeat"],
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error, self.request.user)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object = created[0]
        if len(created) == 1:
            text = _("已新建场次“%(session)s”。") % {"session": self.object}
        else:
            text = _("已新建 %(count)s 个场次（每周一场，首场 %(first)s）。") % {
                "count": len(created),
                "first": views.session_time(self.object),
            }
        messages.success(self.request, text)
        return redirect(reverse("class_sessions:index"))


class ClassSessionEditView(SessionObjectMixin, EditView):
    """编辑场次: only the edited columns are written (scheduling.update_session);
    seats through booking.change_seats; a new time or place tells the booked."""

    def form_valid(self, form):
        self.form = form
        try:
            update = scheduling.update_session(
                self.object, actor=self.request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error, self.request.user)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object.refresh_from_db()
        text = _("已保存场次“%(session)s”。") % {"session": self.object}
        if update.rescheduled:
            text += _("已通知 %(count)s 位预约或候补的学员新的时间和地点。") % {
                "count": update.rescheduled
            }
        messages.success(self.request, text)
        return redirect(reverse("class_sessions:index"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.is_cancelled:
            messages.warning(self.request, _("该场次已取消，不能再修改。"))
        return context


class ClassSessionDeleteView(SessionObjectMixin, DeleteView):
    """A session nobody ever booked may be deleted; one with bookings is
    cancelled instead (its bookings are the record)."""

    object_actions = ["delete"]

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission("delete"):
            raise PermissionDenied
        if Booking.objects.filter(session_id=self.object.pk).exists():
            messages.error(
                request,
                _("该场次已有预约记录，不能删除；如不再举行，请取消场次。"),
            )
            return redirect(reverse("class_sessions:roster", args=[self.object.pk]))
        return super().dispatch(request, *args, **kwargs)


class ClassSessionHistoryView(SessionBaseObjectMixin, HistoryView):
    pass


class ClassSessionUsageView(SessionBaseObjectMixin, UsageView):
    pass


class ClassSessionViewSet(ModelViewSet):
    """实践场次: list with filters, create (one or weekly), edit, cancel, and per
    session the roster, its export and unit quotas."""

    model = ClassSession
    name = "class_sessions"
    url_prefix = "class-sessions"
    icon = "calendar-alt"
    menu_label = gettext_lazy("实践场次")
    menu_order = 200
    index_view_class = ClassSessionIndexView
    add_view_class = ClassSessionCreateView
    edit_view_class = ClassSessionEditView
    delete_view_class = ClassSessionDeleteView
    history_view_class = ClassSessionHistoryView
    usage_view_class = ClassSessionUsageView
    inspect_view_enabled = False
    copy_view_enabled = False
    filterset_class = ClassSessionFilterSet
    list_display = [
        "training_class",
        Column("title", label=gettext_lazy("主题")),
        Column(
            "when", label=gettext_lazy("时间"), accessor=_when, sort_key="starts_at"
        ),
        Column("place", label=gettext_lazy("地点"), accessor=views.session_place),
        Column("seats", label=gettext_lazy("已预约/座位"), accessor=_seats),
        Column("waitlisted", label=gettext_lazy("候补")),
        Column("status", label=gettext_lazy("状态"), accessor=views.session_status),
    ]

    def get_form_class(self, for_update=False):
        return ClassSessionForm

    def get_permissions_to_register(self):
        # "view" too: the 讲师 role holds only it (the inspect view is off).
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(ClassSession)
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("roster/<int:pk>/", views.SessionRosterView.as_view(), name="roster"),
            path(
                "roster/<int:pk>/export/<str:file_format>/",
                views.export_roster,
                name="export_roster",
            ),
            path("quotas/<int:pk>/", views.SessionQuotasView.as_view(), name="quotas"),
            path("quotas/<int:pk>/reserve/", views.reserve_seats, name="reserve_seats"),
            path("quotas/release/<int:pk>/", views.release_quota, name="release_quota"),
            path("cancel/<int:pk>/", views.SessionCancelView.as_view(), name="cancel"),
        ]


# --- bookings -----------------------------------------------------------------------


def _booking_session(made: Booking) -> ClassSession:
    return made.session.classsession


class BookingFilterSet(WagtailFilterSet):
    site = _site_filter("session__classsession__practice_site")
    training_class = _class_filter("session__classsession__training_class")
    date = _date_filter(gettext_lazy("场次日期"), "session__starts_at")
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=Booking.Status.choices,
        empty_label=gettext_lazy("全部"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Booking
        fields = []


class BookingIndexView(IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        policy = policy_registry.get_by_type(Booking)
        return (
            policy.instances_user_has_any_permission_for(
                self.request.user, ["view", "change"]
            )
            .filter(session__classsession__isnull=False)
            .select_related(
                "trainee",
                "session__classsession__training_class__course",
                "session__classsession__practice_site",
            )
        )

    @cached_property
    def full_phone_sites(self) -> set[int] | None:
        """Sites whose trainees' phones this user sees whole (None: all of them):
        administrators everywhere, a host at their sites (as on the roster)."""
        user = self.request.user
        if user_can_view_full_phone(user):
            return None
        return set(PracticeSite.objects.filter(hosts=user).values_list("pk", flat=True))

    def phone(self, made: Booking) -> str:
        sites = self.full_phone_sites
        if sites is None or _booking_session(made).practice_site_id in sites:
            return made.trainee.phone
        return made.trainee.masked_phone

    @cached_property
    def columns(self):
        return [
            self._get_title_column("trainee"),
            Column("phone", label=gettext_lazy("手机号"), accessor=self.phone),
            Column(
                "training_class",
                label=gettext_lazy("培训班"),
                accessor=lambda b: _booking_session(b).training_class,
            ),
            Column(
                "when",
                label=gettext_lazy("场次时间"),
                accessor=lambda b: views.session_time(b.session),
                sort_key="session__starts_at",
            ),
            Column(
                "place",
                label=gettext_lazy("地点"),
                accessor=lambda b: views.session_place(_booking_session(b)),
            ),
            Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
            Column("queue_number", label=gettext_lazy("候补号")),
            Column("source", label=gettext_lazy("方式"), accessor="get_source_display"),
            Column(
                "created_at",
                label=gettext_lazy("预约时间"),
                accessor=lambda b: views.local_minute(b.created_at),
                sort_key="created_at",
            ),
        ]

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_add_url(self):
        return None

    def get_inspect_url(self, instance):
        return reverse("bookings:inspect", args=[instance.pk])

    def get_list_more_buttons(self, instance):
        return [
            MenuItem(
                _("查看记录"),
                url=self.get_inspect_url(instance),
                icon_name="info-circle",
                priority=10,
            )
        ]


class BookingInspectView(InspectView):
    """One booking: its details, the trail of its events, and (for staff who may
    change it, while it is live) a cancel form with a reason."""

    template_name = "courses/admin/session_booking_inspect.html"
    page_title = gettext_lazy("预约详情")

    def get_object(self, queryset=None):
        return views.get_booking_for_user(self.request.user, self.pk)

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_page_subtitle(self):
        return f"{self.object.trainee.real_name} · {views.session_time(self.object.session)}"

    def get_fields_context(self):
        made = self.object
        session = _booking_session(made)
        full = user_can_view_full_phone(self.request.user) or user_hosts_site(
            self.request.user, session.practice_site
        )
        rows = [
            (_("学员"), made.trainee.real_name),
            (_("手机号"), made.trainee.phone if full else made.trainee.masked_phone),
            (_("培训班"), session.training_class),
            (_("场次时间"), views.session_time(session)),
            (_("地点"), session.place),
            (_("状态"), made.get_status_display()),
            (_("方式"), made.get_source_display()),
        ]
        if made.status == Booking.Status.WAITLISTED:
            rows.append((_("候补位置"), booking.waitlist_position(made)))
        if made.quota_id:
            rows.append((_("占用预留"), made.quota.org_unit.name))
        for label, moment in (
            (_("预约时间"), made.created_at),
            (_("确认时间"), made.confirmed_at),
            (_("候补转正时间"), made.promoted_at),
            (_("取消时间"), made.cancelled_at),
        ):
            if moment:
                rows.append((label, views.local_minute(moment)))
        return [
            {"label": label, "value": value, "component": None} for label, value in rows
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        made = self.object
        policy = policy_registry.get_by_type(Booking)
        context.update(
            events=made.events.select_related("actor").order_by("created_at", "pk"),
            can_cancel=made.is_live
            and policy.user_has_permission_for_instance(
                self.request.user, "change", made
            ),
            cancel_form=views.CancelBookingForm(),
            session=_booking_session(made),
        )
        return context


class InspectOnlyViewSet(ModelViewSet):
    """A model's records listed and inspected, never added, edited or deleted
    through a generic form: they change only through their services."""

    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []  # no generic form is ever served (see get_urlpatterns)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    @property
    def url_finder_class(self):
        from wagtail.admin.admin_url_finder import ModelAdminURLFinder

        # A record's admin URL (search results, links) is its inspect page.
        return type(
            f"{self.model.__name__}URLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class BookingViewSet(InspectOnlyViewSet):
    """预约记录: bookings of class sessions, filterable; inspect shows the event
    trail; staff cancel one with a reason. Bookings are made and changed only
    through the engine: no generic add, edit or delete."""

    model = Booking
    # Bookings link to nothing an editor deletes: indexing each one's references
    # would add writes to every booking, under the session's lock, in a rush.
    add_to_reference_index = False
    name = "bookings"
    url_prefix = "bookings"
    icon = "calendar-check"
    menu_label = gettext_lazy("预约记录")
    menu_order = 210
    index_view_class = BookingIndexView
    inspect_view_class = BookingInspectView
    filterset_class = BookingFilterSet
    list_display = ["trainee"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", views.cancel_booking, name="cancel"),
        ]
