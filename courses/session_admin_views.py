"""Per-session admin pages, reached from the 实践场次 list, and the staff's booking
actions, reached from 预约记录: the session roster and its CSV/XLSX export, unit
quotas (reserve, release now), cancelling a session, cancelling one booking.

Every view fetches its session or booking through an access helper below: one this
user may not see is a 404, the same as one that does not exist; one they may see
but not change (an instructor's) is a 403 on a change. Every change is a POST
calling the booking engine (courses.booking); nothing changes on GET.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from courses import booking, rosters
from courses.admin_views import OrgUnitNameField
from courses.models import Booking, ClassSession, SeatQuota
from courses.permissions import user_sees_full_phones_of
from school.models import User
from school.selectors import unit_names

# --- access helpers -------------------------------------------------------------


def _allowed(user: User, model, action: str, instance) -> bool:
    policy = policy_registry.get_by_type(model)
    return policy.user_has_permission_for_instance(user, action, instance)


def get_session_for_user(user: User, pk: int, action: str = "view") -> ClassSession:
    """The session, if this user may see it (else 404) and do `action` with it
    (else 403: they see it, they may not change it)."""
    session = get_object_or_404(
        ClassSession.objects.select_related("training_class__course", "practice_site"),
        pk=pk,
    )
    if not _allowed(user, ClassSession, "view", session):
        raise Http404
    if action != "view" and not _allowed(user, ClassSession, action, session):
        raise PermissionDenied
    return session


def get_booking_for_user(user: User, pk: int, action: str = "view") -> Booking:
    """A booking of a class session this user may see bookings of (else 404), and
    may do `action` with (else 403)."""
    found = get_object_or_404(
        Booking.objects.select_related(
            "trainee__org_unit",
            "session__classsession__training_class__course",
            "session__classsession__practice_site",
        ),
        pk=pk,
    )
    if not hasattr(found.session, "classsession") or not _allowed(
        user, Booking, "view", found
    ):
        raise Http404
    if action != "view" and not _allowed(user, Booking, action, found):
        raise PermissionDenied
    return found


# --- how a session reads --------------------------------------------------------


def session_time(session) -> str:
    """2026-12-08 19:00–21:00 (the end's date too when it is another day)."""
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    end_format = "H:i" if start.date() == end.date() else "Y-m-d H:i"
    return f"{date_format(start, 'Y-m-d H:i')}–{date_format(end, end_format)}"


def session_place(session: ClassSession) -> str:
    return session.practice_site.name if session.practice_site_id else _("线上")


def session_status(session: ClassSession, at: datetime | None = None) -> str:
    """Where the session stands: 已取消, 已结束, 进行中, 预约已截止, 已约满, 预约中."""
    at = at or timezone.now()
    if session.is_cancelled:
        return _("已取消")
    if at >= session.ends_at:
        return _("已结束")
    if at >= session.starts_at:
        return _("进行中")
    if at >= session.booking_closes_at:
        return _("预约已截止")
    if session.confirmed_count >= session.seats:
        return _("已约满")
    return _("预约中")


# --- the roster -------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRosterRow:
    """One booking of the session, with its holder's unit and, while waiting,
    their place in the queue (1: next to get a seat)."""

    booking: Booking
    unit: str
    position: int | None

    @property
    def trainee(self) -> User:
        return self.booking.trainee


STATUS_ORDER = {
    Booking.Status.CONFIRMED: 0,
    Booking.Status.WAITLISTED: 1,
    Booking.Status.CANCELLED: 2,
}


def session_roster(session: ClassSession) -> list[SessionRosterRow]:
    """Every booking of the session, confirmed first, then the waitlist in queue
    order, then the cancelled; three queries however many."""
    bookings = list(
        Booking.objects.filter(session_id=session.pk).select_related(
            "trainee__org_unit", "quota__org_unit"
        )
    )
    waiting = Booking.Status.WAITLISTED
    bookings.sort(
        key=lambda b: (
            STATUS_ORDER[b.status],
            b.queue_number if b.status == waiting else 0,
            b.created_at,
            b.pk,
        )
    )
    units = unit_names([b.trainee.org_unit for b in bookings])
    position = 0
    rows = []
    for made in bookings:
        place = None
        if made.status == Booking.Status.WAITLISTED:
            position += 1
            place = position
        rows.append(
            SessionRosterRow(made, units.get(made.trainee.org_unit_id, ""), place)
        )
    return rows


def local_time(moment: datetime | None) -> datetime | None:
    """A moment as a naive local datetime, as spreadsheets take it."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def local_minute(moment: datetime | None) -> str:
    """2026-12-08 19:00, or "" for none."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def session_roster_table(
    rows: list[SessionRosterRow], *, full_phone: bool
) -> tuple[list[str], list[list]]:
    """The roster as headers and plain values for CSV and XLSX (courses.rosters
    writes them). Phones are masked unless the reader sees them whole."""
    headers = [
        _("序号"),
        _("姓名"),
        _("手机号"),
        _("所属单位"),
        _("状态"),
        _("候补位置"),
        _("方式"),
        _("占用预留"),
        _("预约时间"),
        _("取消时间"),
    ]
    table = [
        [
            number,
            row.trainee.real_name,
            row.trainee.phone if full_phone else row.trainee.masked_phone,
            row.unit,
            row.booking.get_status_display(),
            row.position,
            row.booking.get_source_display(),
            row.booking.quota.org_unit.name if row.booking.quota_id else "",
            local_time(row.booking.created_at),
            local_time(row.booking.cancelled_at),
        ]
        for number, row in enumerate(rows, start=1)
    ]
    return headers, table


def roster_filename(session: ClassSession, extension: str) -> str:
    name = _("%(class)s-%(date)s-场次花名册") % {
        "class": session.training_class,
        "date": date_format(timezone.localtime(session.starts_at), "Y-m-d-Hi"),
    }
    return rosters.safe_filename(name, extension)


# --- pages ------------------------------------------------------------------------


class SessionPageMixin(WagtailAdminTemplateMixin):
    """Header, breadcrumbs and sibling links of the per-session pages."""

    header_icon = "calendar-alt"
    action = "view"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = get_session_for_user(request.user, kwargs["pk"], self.action)

    @cached_property
    def can_change(self) -> bool:
        return _allowed(self.request.user, ClassSession, "change", self.session)

    def get_page_subtitle(self):
        return f"{self.session.training_class} · {session_time(self.session)}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("class_sessions:index"),
                "label": ClassSession._meta.verbose_name_plural,
            },
            {
                "url": "",
                "label": self.get_page_title(),
                "sublabel": self.get_page_subtitle(),
            },
        ]

    def link(self, name: str, label: str, icon: str, **kwargs) -> HeaderButton:
        url = reverse(
            f"class_sessions:{name}", kwargs={"pk": self.session.pk, **kwargs}
        )
        return HeaderButton(label, url=url, icon_name=icon)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session,
            when=session_time(self.session),
            place=self.session.place,
            status=session_status(self.session),
            waitlisted=Booking.objects.waitlisted()
            .filter(session_id=self.session.pk)
            .count(),
            can_change=self.can_change,
            **kwargs,
        )


class SessionRosterView(SessionPageMixin, TemplateView):
    """花名册 of a session: every booking with its status, waitlist position,
    source and the holder's phone (whole only for those who call trainees)."""

    template_name = "courses/admin/session_roster.html"
    page_title = gettext_lazy("场次花名册")

    @cached_property
    def header_buttons(self):
        buttons = [
            self.link("export_roster", _("导出 CSV"), "download", file_format="csv"),
            self.link("export_roster", _("导出 Excel"), "download", file_format="xlsx"),
            self.link("quotas", _("单位预留"), "group"),
        ]
        if self.can_change and not self.session.is_cancelled:
            buttons.append(self.link("edit", _("编辑场次"), "edit"))
        return buttons

    def get_context_data(self, **kwargs):
        rows = session_roster(self.session)
        user = self.request.user
        booking_policy = policy_registry.get_by_type(Booking)
        return super().get_context_data(
            rows=rows,
            full_phone=user_sees_full_phones_of(user, self.session),
            links_bookings=booking_policy.user_has_permission(user, "view"),
            **kwargs,
        )


@require_GET
def export_roster(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    writers = {
        "csv": (rosters.table_csv, "text/csv; charset=utf-8"),
        "xlsx": (
            lambda headers, rows: rosters.table_xlsx(
                headers, rows, title=_("场次花名册")
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    if file_format not in writers:
        raise Http404
    write, content_type = writers[file_format]
    headers, rows = session_roster_table(
        session_roster(session),
        full_phone=user_sees_full_phones_of(request.user, session),
    )
    filename = roster_filename(session, file_format)
    return HttpResponse(
        write(headers, rows),
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


class ReserveSeatsForm(forms.Form):
    org_unit = OrgUnitNameField(
        label=gettext_lazy("单位"),
        help_text=gettext_lazy(
            "输入街道、社区或网格的名称，从列表中选择。该单位及其下属单位的学员优先使用预留座位。"
        ),
        error_messages={"required": gettext_lazy("请选择单位。")},
    )
    seats = forms.IntegerField(
        label=gettext_lazy("预留座位数"),
        min_value=1,
        error_messages={
            "required": gettext_lazy("请填写预留座位数。"),
            "invalid": gettext_lazy("预留座位数须为整数。"),
            "min_value": gettext_lazy("预留座位数至少为 1。"),
        },
        help_text=gettext_lazy("该单位已有预留时，改为这个数。"),
    )


class SessionQuotasView(SessionPageMixin, TemplateView):
    """单位预留: the session's quotas (seats, taken, released), a form to reserve
    seats for a unit and a button to release one now."""

    template_name = "courses/admin/session_quotas.html"
    page_title = gettext_lazy("单位预留")

    @cached_property
    def header_buttons(self):
        return [self.link("roster", _("场次花名册"), "list-ul")]

    def get_context_data(self, **kwargs):
        form = kwargs.setdefault("form", ReserveSeatsForm())
        quotas = list(
            SeatQuota.objects.filter(session_id=self.session.pk)
            .select_related("org_unit")
            .order_by("pk")
        )
        names = unit_names([quota.org_unit for quota in quotas])
        return super().get_context_data(
            quotas=[(quota, names.get(quota.org_unit_id, "")) for quota in quotas],
            release_time=booking.quota_release_time(self.session),
            unit_options=form.fields["org_unit"].names.values(),
            **kwargs,
        )


def _errors(form: forms.Form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@require_POST
def reserve_seats(request: HttpRequest, pk: int) -> HttpResponse:
    """Reserve (or change) seats of the session for an org unit's members."""
    session = get_session_for_user(request.user, pk, "change")
    back = reverse("class_sessions:quotas", args=[session.pk])
    form = ReserveSeatsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    unit = form.cleaned_data["org_unit"]
    try:
        quota = booking.reserve_seats(
            session,
            org_unit=unit,
            seats=form.cleaned_data["seats"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已为“%(unit)s”预留 %(seats)s 个座位。")
            % {"unit": unit.name, "seats": quota.seats},
        )
    return redirect(back)


@require_POST
def release_quota(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a unit's unclaimed reserved seats to everyone now."""
    quota = get_object_or_404(SeatQuota.objects.select_related("org_unit"), pk=pk)
    session = get_session_for_user(request.user, quota.session_id, "change")
    if booking.release_quota(quota, actor=request.user):
        messages.success(
            request,
            _("已释放“%(unit)s”的预留座位，未使用的座位向所有人开放。")
            % {"unit": quota.org_unit.name},
        )
    else:
        messages.error(request, _("该单位的预留座位已经释放。"))
    return redirect(reverse("class_sessions:quotas", args=[session.pk]))


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("取消原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("会发送给每一位已预约或候补的学员。"),
        error_messages={
            "required": gettext_lazy("请填写取消原因。"),
            "max_length": gettext_lazy("取消原因最多 200 字。"),
        },
    )


class SessionCancelView(SessionPageMixin, TemplateView):
    """取消场次: GET shows who would be told; the POST, with a reason, cancels
    through booking.cancel_session (every live booking cancelled and told)."""

    template_name = "courses/admin/session_cancel.html"
    page_title = gettext_lazy("取消场次")
    action = "change"

    def get_context_data(self, **kwargs):
        live = Booking.objects.live().filter(session_id=self.session.pk)
        counts = live.aggregate(
            confirmed=Count("pk", filter=Q(status=Booking.Status.CONFIRMED)),
            waitlisted=Count("pk", filter=Q(status=Booking.Status.WAITLISTED)),
        )
        kwargs.setdefault("form", CancelSessionForm())
        return super().get_context_data(counts=counts, **kwargs)

    def post(self, request, *args, **kwargs):
        form = CancelSessionForm(request.POST)
        if form.is_valid():
            try:
                told = booking.cancel_session(
                    self.session, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("场次已取消，已通知 %(count)s 位预约或候补的学员。")
                    % {"count": told},
                )
                return redirect(
                    reverse("class_sessions:roster", args=[self.session.pk])
                )
        return self.render_to_response(self.get_context_data(form=form))


# --- bookings ---------------------------------------------------------------------


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("取消原因"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("请填写取消原因。"),
            "max_length": gettext_lazy("取消原因最多 200 字。"),
        },
    )


@require_POST
def cancel_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff cancel one booking, with a reason (until the session ends); a freed
    seat goes to the first on the waitlist."""
    found = get_booking_for_user(request.user, pk, "change")
    back = reverse("bookings:inspect", args=[found.pk])
    form = CancelBookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    try:
        booking.cancel_booking(
            found,
            actor=request.user,
            note=form.cleaned_data["reason"],
            by_staff=True,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已取消 %(name)s 的预约。") % {"name": found.trainee.real_name},
        )
    return redirect(back)
