"""/api/v1/: the mobile app's JSON API (django-ninja; the OpenAPI schema at
/api/v1/openapi.json, no interactive docs page: those load Swagger from a CDN).

Endpoints are thin, like the web's views: authenticate (token or session, see
api.auth), fetch through the web's own access helpers (404 alike for "missing"
and "not yours"), call the same service, shape the answer. No rule is decided
here. Refusals are `{"detail": [reasons]}`: a service's ValidationError is 400
(409 where the request conflicts with what exists), missing or not yours 404,
no credentials 401. GETs read only.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError

from api import tokens
from api.auth import SessionAuth, TokenAuth
from api.schemas import (
    BookingOut,
    CertificateOut,
    CheckInIn,
    CheckInOut,
    ClassOut,
    ErrorOut,
    GrowthOut,
    MeOut,
    PointsOut,
    RedemptionOut,
    RevokedOut,
    RewardOut,
    TokenIn,
    TokenOut,
)
from certificates import selectors as certificate_selectors
from certificates.permissions import get_certificate_for_download
from certificates.services import archive_member_name
from courses import booking, checkin, session_kinds, sessions
from courses.booking_views import get_own_booking, get_session_for_trainee
from courses.models import BookableSession, Booking, ClassSession
from courses.selectors import dashboard_context
from school.forms import PhoneLoginForm
from school.ids import MAX_ID
from school.models import Level, User
from volunteers import activities, growth, ledger, redemptions
from volunteers.activity_checkin_views import session_booked_by
from volunteers.activity_views import get_own_activity_booking, get_visible_session
from volunteers.models import PointEntry
from volunteers.reward_views import get_reward_on_offer

api = NinjaAPI(
    title="网格学校 · 志愿者培训学院 API",
    version="1",
    description="移动端接口。认证：Authorization: Bearer <令牌>，或已登录的浏览器会话"
    "（非 GET 请求须带 X-CSRFToken）。",
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
)

REFUSED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CONFLICT = {**REFUSED, 409: ErrorOut}


def _error(request: HttpRequest, status: int, messages) -> JsonResponse:
    return api.create_response(
        request, {"detail": [str(m) for m in messages]}, status=status
    )


def _conflicts() -> set[str]:
    """The services' refusals that say the request clashes with what exists
    (already booked, already cancelled, sold out): 409, the rest 400."""
    return {
        _("已预约该场次，不能重复预约。"),
        _("该预约已取消。"),
        _("已兑完。"),
    }


@api.exception_handler(ValidationError)
def _refused(request, error: ValidationError):
    status = 409 if set(error.messages) & _conflicts() else 400
    return _error(request, status, error.messages)


@api.exception_handler(Http404)
def _not_found(request, error):
    return _error(request, 404, [_("未找到，或您无权查看。")])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return _error(
        request,
        401,
        [_("请先登录：在请求头中提供 Authorization: Bearer <令牌>，或先获取令牌。")],
    )


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return _error(request, error.status_code, [error.message])


@api.exception_handler(InputError)
def _bad_input(request, error: InputError):
    fields = [
        ".".join(str(part) for part in item.get("loc", ())[1:]) or "body"
        for item in error.errors
    ]
    return _error(
        request,
        400,
        [
            _("请求内容不正确：字段 %(field)s 缺少或无效，请按接口说明填写后重试。")
            % {"field": field}
            for field in fields
        ],
    )


def _within_range(pk: int) -> int:
    """An id no row can have is simply not found (as school.ids does for the
    web), rather than an overflow in the query."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- auth -------------------------------------------------------------------------

auth_router = Router(tags=["认证"])


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
)
def obtain_token(request: HttpRequest, data: TokenIn):
    """Phone and password, checked by the web's login form (Django's
    authenticate: django-axes' lock-out and the per-phone and per-address limits
    of school.backends apply); the token is shown once."""
    form = PhoneLoginForm(
        request, data={"username": data.phone, "password": data.password}
    )
    if not form.is_valid():
        if getattr(request, "axes_locked_out", False):
            # Our JSON, not axes' HTML lock-out page (the middleware swaps the
            # response while this flag is set); the attempt is counted already.
            request.axes_locked_out = False
            minutes = max(1, int(settings.AXES_COOLOFF_TIME * 60))
            return Status(
                429,
                {
                    "detail": [
                        _(
                            "登录失败次数过多，已暂时锁定。请 %(minutes)s 分钟后再试，或在网页上通过“忘记密码”重设密码。"
                        )
                        % {"minutes": minutes}
                    ]
                },
            )
        reasons = [str(m) for m in form.non_field_errors()] or [
            _("手机号或密码不正确。")
        ]
        return Status(401, {"detail": reasons})
    user = form.get_user()
    token, secret = tokens.issue_token(user, name=data.name)
    # A login like the web's, without a session: axes and school.backends clear
    # the phone's failure counts, and last_login moves.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return Status(
        201,
        {
            "token": secret,
            "prefix": token.prefix,
            "name": token.name,
            "created_at": token.created_at,
        },
    )


@auth_router.delete("/token", response={200: RevokedOut, **REFUSED})
def revoke_token(request: HttpRequest):
    """Revoke the token this request was made with (log the device out)."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, _("本次请求未使用访问令牌，无需撤销。"))
    token = tokens.revoke_token(token)
    return {"prefix": token.prefix, "revoked_at": token.revoked_at}


# --- me ---------------------------------------------------------------------------

me_router = Router(tags=["我的"])


@me_router.get("", response={200: MeOut, **REFUSED})
def me(request: HttpRequest):
    user: User = request.auth
    unit = user.org_unit
    return {
        "id": user.pk,
        "name": user.real_name,
        "phone": user.masked_phone,
        "level": user.level,
        "level_label": str(Level(user.level).label),
        "org_unit": None
        if unit is None
        else {
            "id": unit.pk,
            "name": unit.name,
            "kind": unit.kind,
            "kind_label": unit.get_kind_display(),
        },
    }


@me_router.get("/classes", response={200: list[ClassOut], **REFUSED})
def my_classes(request: HttpRequest):
    """My enrolments, as 我的学习 shows them: status, progress, attendance."""
    context = dashboard_context(request.auth)
    rows = context["current"] + context["completed"] + context["ended"]
    return [
        {
            "enrollment_id": row.enrollment_id,
            "status": row.status,
            "status_label": row.status_label,
            "course_title": row.course_title,
            "class_label": row.class_label,
            "dates_label": row.dates_label,
            "site_name": row.site_name,
            "progress_percent": row.progress.percent,
            "attendance_percent": row.attendance.percent,
            "attendance_counted": row.attendance.counted,
        }
        for row in rows
    ]


def _booking_rows(bookings: list[Booking]) -> list[dict]:
    """Bookings of any kind of session, described by the kind's own describer
    (courses.session_kinds), with the engine's waitlist position."""
    described = session_kinds.describe_sessions({b.session_id for b in bookings})
    rows = []
    for made in bookings:
        if made.session_id not in described:
            continue
        session, info = described[made.session_id]
        is_class = isinstance(session, ClassSession)
        position = booking.waitlist_position(made)
        rows.append(
            {
                "id": made.pk,
                "session_id": made.session_id,
                "kind": "class" if is_class else "activity",
                "kind_label": str(info.kind_name),
                "status": made.status,
                "status_label": (
                    _("候补第 %(position)s 位") % {"position": position}
                    if position
                    else made.get_status_display()
                ),
                "waitlist_position": position,
                "title": info.summary,
                "label": info.label,
                "place": info.place,
                "is_online": info.is_online,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "booking_closes_at": session.booking_closes_at,
                "is_cancelled": session.is_cancelled,
            }
        )
    return rows


@me_router.get("/bookings", response={200: list[BookingOut], **REFUSED})
def my_bookings(request: HttpRequest):
    """My live bookings (seat or waitlist) of class sessions and community
    activities still to end, soonest first."""
    made = list(
        Booking.objects.live()
        .filter(trainee=request.auth, session__ends_at__gt=timezone.now())
        .order_by("session__starts_at", "pk")
    )
    return _booking_rows(made)


@me_router.get("/certificates", response={200: list[CertificateOut], **REFUSED})
def my_certificates(request: HttpRequest):
    """我的证书. A revoked certificate lists no PDF, as on the web page."""
    today = timezone.localdate()
    rows = []
    for certificate in certificate_selectors.certificates_of(request.auth):
        standing = certificate.standing(today)
        revoked = standing == certificate.Standing.REVOKED
        rows.append(
            {
                "id": certificate.pk,
                "number": certificate.number,
                "title": certificate.title,
                "kind": certificate.kind,
                "issued_on": timezone.localdate(certificate.issued_at),
                "valid_until": certificate.valid_until,
                "status": standing,
                "status_label": str(certificate.Standing(standing).label),
                "verify_url": certificate.verification_url,
                "pdf_url": None
                if revoked
                else _absolute(
                    reverse("api-v1:certificate_pdf", args=[certificate.pk])
                ),
            }
        )
    return rows


@me_router.get(
    "/certificates/{certificate_ref}/pdf",
    url_name="certificate_pdf",
    response={200: None, 202: ErrorOut, **REFUSED},
)
def certificate_pdf(request: HttpRequest, certificate_ref: int):
    """The certificate's PDF for its holder (or an administrator), as the web's
    download; 202 while the worker is still rendering it."""
    certificate = get_certificate_for_download(
        request.auth, _within_range(certificate_ref)
    )
    if not certificate.pdf:
        response = _error(request, 202, [_("证书 PDF 正在生成，请稍后再试。")])
        response["Retry-After"] = "5"
        return response
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=archive_member_name(certificate),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@me_router.get("/growth", response={200: GrowthOut, **REFUSED})
def my_growth(request: HttpRequest):
    """我的成长: my level, the ladder, and what the next step still needs
    (volunteers.ladder.next_step through the growth selector)."""
    seen = growth.growth_of(request.auth)
    step = seen.next_step
    return {
        "level": seen.person.level,
        "level_label": seen.level_label,
        "ladder": [rung.__dict__ for rung in seen.ladder],
        "next_step": None
        if step is None
        else {
            "level": step.level,
            "label": step.label,
            "needs": step.needs,
            "requirements": [r.__dict__ for r in step.requirements],
            "applied_for": step.applied_for,
        },
        "balance": seen.balance.balance,
        "earned": seen.balance.earned,
        "hours": seen.balance.hours,
    }


@me_router.get("/points", response={200: PointsOut, **REFUSED})
def my_points(request: HttpRequest, page: Query[int] = 1):
    """My balance, hours and the latest entries, 20 a page (`?page=2`)."""
    balance = ledger.balance_of(request.auth)
    entries = growth.points_history(request.auth, page)
    kinds = dict(PointEntry.Kind.choices)
    return {
        "balance": balance.balance,
        "earned": balance.earned,
        "hours": balance.hours,
        "page": entries.number,
        "pages": entries.paginator.num_pages,
        "count": entries.paginator.count,
        "entries": [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "kind_label": str(kinds.get(entry.kind, entry.kind)),
                "amount": entry.amount,
                "balance_after": entry.balance_after,
                "hours": entry.hours,
                "reason": entry.reason,
                "created_at": entry.created_at,
            }
            for entry in entries
        ],
    }


# --- sessions and bookings -----------------------------------------------------------

session_router = Router(tags=["预约与签到"])


def _session_kind(pk: int) -> str:
    """ "class" or "activity": which kind of bookable session the id names (404
    for neither)."""
    row = (
        BookableSession.objects.filter(pk=_within_range(pk))
        .values_list("classsession__pk", "activitysession__pk")
        .first()
    )
    if row is None or row == (None, None):
        raise Http404
    return "class" if row[0] is not None else "activity"


@session_router.post(
    "/sessions/{session_ref}/book", response={201: BookingOut, **CONFLICT}
)
def book_session(request: HttpRequest, session_ref: int):
    """Book a seat, or join the waitlist when the session is full. A class
    session is for trainees holding a seat in its class (others: 404, as on the
    web); an activity session follows the activity's audience rule."""
    user = request.auth
    if _session_kind(session_ref) == "class":
        session = get_session_for_trainee(user, session_ref)
        made = sessions.book_session(session, trainee=user, actor=user)
    else:
        session = get_visible_session(user, session_ref)
        made = activities.sign_up(session, person=user)
    return Status(201, _booking_rows([made])[0])


@session_router.post(
    "/bookings/{booking_ref}/cancel", response={200: BookingOut, **CONFLICT}
)
def cancel_booking(request: HttpRequest, booking_ref: int):
    """Cancel my own booking (before the cut-off; after it, the reason says whom
    to contact). Someone else's booking, or none: 404."""
    user = request.auth
    if _session_kind_of_booking(user, booking_ref) == "class":
        made = get_own_booking(user, booking_ref)
        made = sessions.cancel_my_booking(made, trainee=user)
    else:
        made = get_own_activity_booking(user, booking_ref)
        made = activities.cancel_sign_up(made, person=user)
    made.refresh_from_db()
    return _booking_rows([made])[0]


def _session_kind_of_booking(user: User, pk: int) -> str:
    session_id = (
        Booking.objects.filter(pk=_within_range(pk), trainee=user)
        .values_list("session_id", flat=True)
        .first()
    )
    if session_id is None:
        raise Http404
    return _session_kind(session_id)


@session_router.post(
    "/sessions/{session_ref}/check-in", response={200: CheckInOut, **CONFLICT}
)
def check_in(request: HttpRequest, session_ref: int, data: CheckInIn):
    """自助签到 with the code shown in the room, inside the window, with a
    confirmed booking (courses.checkin.self_check_in)."""
    user = request.auth
    if _session_kind(session_ref) == "class":
        session = get_session_for_trainee(user, session_ref)
    else:
        session = session_booked_by(user, session_ref)
    done = checkin.self_check_in(session, trainee=user, code=data.code)
    return {
        "status": done.record.status,
        "status_label": done.record.get_status_display(),
        "already": done.already,
    }


# --- rewards ---------------------------------------------------------------------------

reward_router = Router(tags=["积分商城"])


@reward_router.get("/rewards", response={200: list[RewardOut], **REFUSED})
def rewards(request: HttpRequest):
    """积分商城: every reward on offer, whether I may redeem it, and why not
    (volunteers.redemptions.reason_not_to_redeem, as the web's catalogue)."""
    _balance, offered = redemptions.catalogue_for(request.auth)
    rows = []
    for reward, reason in offered:
        rows.append(
            {
                "id": reward.pk,
                "title": reward.title,
                "description": reward.description,
                "category": reward.category,
                "category_label": reward.get_category_display(),
                "merchant": reward.merchant.name,
                "points_cost": reward.points_cost,
                "stock": reward.stock,
                "minimum_level": reward.minimum_level,
                "valid_from": reward.valid_from,
                "valid_until": reward.valid_until,
                "can_redeem": not reason,
                "reason": reason,
            }
        )
    return rows


@reward_router.post(
    "/rewards/{reward_ref}/redeem", response={201: RedemptionOut, **CONFLICT}
)
def redeem(request: HttpRequest, reward_ref: int):
    """Spend points on one item of a reward on offer; the one-time code comes
    back (volunteers.redemptions.redeem_reward)."""
    reward = get_reward_on_offer(_within_range(reward_ref))
    redemption = redemptions.redeem_reward(reward, person=request.auth)
    return Status(
        201,
        {
            "id": redemption.pk,
            "reward_id": reward.pk,
            "reward_title": reward.title,
            "code": redemption.code,
            "points": redemption.points,
            "expires_at": redemption.expires_at,
            "balance": ledger.balance_of(request.auth).balance,
        },
    )


api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("", session_router)
api.add_router("", reward_router)
