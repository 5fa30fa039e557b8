"""Service records: logging a service, deciding it, crediting its points.

A decision is one conditional UPDATE on a pending record, so two coordinators
pressing 通过 at once decide it once. Approval first locks the volunteer's points
account, so two approvals of one person queue one behind the other and the daily
and monthly caps are counted from committed records; points above a cap are kept
on the record as `points_capped`, not lost silently. The ledger (append_entry)
moves the balance; every decision writes a ServiceRecordEvent.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from PIL import Image, UnidentifiedImageError

from courses.models import AttendanceRecord, BookableSession, ClassSession
from courses.reports.figures import ATTENDED
from school.models import User
from volunteers import ladder, ledger
from volunteers.models import (
    PointEntry,
    PointItem,
    ServiceRecord,
    ServiceRecordEvent,
)
from volunteers.permissions import (
    user_can_decide_service_record,
    user_can_log_service_for,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Pillow's format name -> the file extension it is stored under.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_HOURS = Decimal("24")
TEACHING_ITEM_NAME = "授课服务"

Status = ServiceRecord.Status
Event = ServiceRecordEvent.Kind


# Logging.


def check_photo(photo) -> str:
    """The photo's extension if it is a JPEG, PNG or WebP image of at most 5 MB,
    judged by its content (not its name); otherwise a ValidationError that says
    what to do."""
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("照片不能超过 5 MB，请压缩后重新上传。"), code="photo_too_large"
        )
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            kind = image.format
            image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise ValidationError(
            _("照片无法识别，请上传 JPG、PNG 或 WebP 格式的图片。"),
            code="photo_type",
        ) from error
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(
            _("照片无法识别，请上传 JPG、PNG 或 WebP 格式的图片。"),
            code="photo_type",
        )
    return PHOTO_FORMATS[kind]


def clean_hours(value) -> Decimal:
    """Hours as typed: a number 0–24 in tenths, or a ValidationError."""
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError) as error:
        raise ValidationError(_("服务时长请填写 0 到 24 之间的数字。")) from error
    if not Decimal("0") <= hours <= MAX_HOURS:
        raise ValidationError(_("服务时长请填写 0 到 24 之间的数字。"))
    return hours


@transaction.atomic(durable=True)
def log_service(
    volunteer: User,
    *,
    item: PointItem,
    served_on: date,
    hours: Decimal,
    place: str,
    description: str,
    photo=None,
    actor: User,
) -> ServiceRecord:
    """Log a service, pending a coordinator's decision: by the volunteer or by a
    coordinator covering them. Refuses a future date, an item not in force that
    day, hours outside 0–24 (a per-hour item needs some), and a photo that is not
    a JPEG/PNG/WebP image of at most 5 MB."""
    if not user_can_log_service_for(actor, volunteer):
        raise ValidationError(_("您只能为自己或您负责单位的志愿者登记服务。"))
    if served_on > timezone.localdate():
        raise ValidationError(_("服务日期不能晚于今天。"), code="future")
    if not PointItem.objects.active_on(served_on).filter(pk=item.pk).exists():
        raise ValidationError(
            _("该积分事项在服务当天未启用，请选择其他事项。"), code="item_inactive"
        )
    hours = clean_hours(hours)
    if item.unit == PointItem.Unit.HOUR and hours <= 0:
        raise ValidationError(_("按小时计分的事项须填写服务时长。"), code="no_hours")
    place, description = place.strip(), description.strip()
    if not place or not description:
        raise ValidationError(_("请填写服务地点和服务内容。"))
    extension = check_photo(photo) if photo else None
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        item=item,
        served_on=served_on,
        hours=hours,
        place=place[:100],
        description=description[:1000],
        logged_by=actor,
    )
    if extension:
        # A random name: the file's name says nothing about whose it is.
        photo.seek(0)
        record.photo.save(
            f"{secrets.token_hex(16)}.{extension}",
            ContentFile(photo.read()),
            save=True,
        )
    ServiceRecordEvent.objects.create(record=record, kind=Event.LOGGED, actor=actor)
    return record


# Deciding.


def full_points(item: PointItem, hours: Decimal) -> int:
    """What a service earns before caps: the item's points per occurrence, or
    per hour (whole points, rounded down)."""
    if item.unit == PointItem.Unit.HOUR:
        return int((item.points * hours).to_integral_value(rounding=ROUND_DOWN))
    return item.points


def _within_caps(record: ServiceRecord, points: int) -> int:
    """How many of `points` the caps leave room for: the item's daily and
    monthly caps less what the person's approved records of that item already
    earned that day / month. Call under the account lock."""
    item = record.item
    allowed = points
    approved = ServiceRecord.objects.approved().filter(
        volunteer_id=record.volunteer_id, item_id=item.pk
    )
    if item.daily_cap is not None:
        used = approved.filter(served_on=record.served_on).aggregate(
            total=Sum("points_awarded")
        )["total"]
        allowed = min(allowed, max(item.daily_cap - (used or 0), 0))
    if item.monthly_cap is not None:
        used = approved.filter(
            served_on__year=record.served_on.year,
            served_on__month=record.served_on.month,
        ).aggregate(total=Sum("points_awarded"))["total"]
        allowed = min(allowed, max(item.monthly_cap - (used or 0), 0))
    return allowed


def _credit(record: ServiceRecord, *, actor: User | None) -> ServiceRecord:
    """Approve a pending record and credit it: inside the caller's transaction,
    with the volunteer's account already locked."""
    points = full_points(record.item, record.hours)
    awarded = _within_caps(record, points)
    now = timezone.now()
    decided = ServiceRecord.objects.filter(pk=record.pk, status=Status.PENDING).update(
        status=Status.APPROVED,
        decided_by=actor,
        decided_at=now,
        points_awarded=awarded,
        points_capped=points - awarded,
    )
    if not decided:
        raise ValidationError(_("该记录已审核过，无需重复操作。"), code="decided")
    record.refresh_from_db()
    if awarded or record.hours:
        ledger.append_entry(
            record.volunteer,
            kind=PointEntry.Kind.SERVICE,
            amount=awarded,
            hours=record.hours,
            actor=actor,
            service_record=record,
        )
    note = ""
    if record.points_capped:
        note = _("超出上限 %(capped)s 分未计入") % {"capped": record.points_capped}
    ServiceRecordEvent.objects.create(
        record=record, kind=Event.APPROVED, actor=actor, note=note
    )
    ladder.evaluate_after_commit(record.volunteer_id)
    return record


def _decidable(record: ServiceRecord, actor: User) -> ServiceRecord:
    record = ServiceRecord.objects.select_related("volunteer__org_unit", "item").get(
        pk=record.pk
    )
    if record.volunteer_id == actor.pk:
        raise ValidationError(_("不能审核自己的服务记录，请由协调员审核。"), code="own")
    if not user_can_decide_service_record(actor, record):
        raise ValidationError(
            _("您不负责该志愿者所在的单位，不能审核这条记录。"), code="scope"
        )
    return record


@transaction.atomic(durable=True)
def approve_service_record(record: ServiceRecord, *, actor: User) -> ServiceRecord:
    """通过: a coordinator covering the volunteer (or an administrator), never the
    volunteer, approves a pending record once; its points (within the item's
    caps) and hours go to the ledger."""
    record = _decidable(record, actor)
    ledger.lock_account(record.volunteer)
    return _credit(record, actor=actor)


@transaction.atomic(durable=True)
def reject_service_record(
    record: ServiceRecord, *, actor: User, reason: str
) -> ServiceRecord:
    """未通过: like approval, once and not one's own, with a reason the
    volunteer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写未通过的原因。"), code="no_reason")
    record = _decidable(record, actor)
    decided = ServiceRecord.objects.filter(pk=record.pk, status=Status.PENDING).update(
        status=Status.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        reject_reason=reason[:200],
    )
    if not decided:
        raise ValidationError(_("该记录已审核过，无需重复操作。"), code="decided")
    ServiceRecordEvent.objects.create(
        record=record, kind=Event.REJECTED, actor=actor, note=reason[:200]
    )
    record.refresh_from_db()
    return record


@dataclass
class BulkOutcome:
    """What a bulk decision did: how many records were decided and, for each
    one refused, its id and why."""

    done: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def _bulk(records: Iterable[ServiceRecord | int], decide) -> BulkOutcome:
    outcome = BulkOutcome()
    for each in records:
        pk = each if isinstance(each, int) else each.pk
        record = ServiceRecord.objects.filter(pk=pk).first()
        if record is None:
            outcome.refused.append((pk, _("记录不存在。")))
            continue
        try:
            decide(record)  # its own transaction: one refusal keeps the rest
        except ValidationError as error:
            outcome.refused.append((pk, "；".join(error.messages)))
        else:
            outcome.done += 1
    return outcome


def bulk_approve(records: Iterable[ServiceRecord | int], *, actor: User) -> BulkOutcome:
    """Approve each record in its own transaction; report the ones refused."""
    return _bulk(records, lambda record: approve_service_record(record, actor=actor))


def bulk_reject(
    records: Iterable[ServiceRecord | int], *, actor: User, reason: str
) -> BulkOutcome:
    """Reject each record with the one reason, each in its own transaction."""
    if not (reason or "").strip():
        raise ValidationError(_("请填写未通过的原因。"), code="no_reason")
    return _bulk(
        records,
        lambda record: reject_service_record(record, actor=actor, reason=reason),
    )


# Teaching hours.


def standing_item(name: str, *, category: str, description: str) -> PointItem:
    """A per-hour point item (10 points an hour) the system credits under, made
    the first time it is needed; administrators may change it afterwards."""
    item = PointItem.objects.filter(name=name).first()
    if item is not None:
        return item
    try:
        with transaction.atomic():
            return PointItem.objects.create(
                name=name,
                category=category,
                description=description,
                unit=PointItem.Unit.HOUR,
                points=10,
            )
    except IntegrityError:  # another run made it at the same moment
        return PointItem.objects.get(name=name)


def teaching_item() -> PointItem:
    """The point item instructors' delivered sessions are credited under (授课服务,
    per hour)."""
    return standing_item(
        TEACHING_ITEM_NAME,
        category=_("教育培训"),
        description=_("讲师讲授培训班课程，按实际授课时长计入志愿服务。"),
    )


def session_hours(session: BookableSession) -> Decimal:
    """A session's length in hours (tenths, rounded down, at most 24)."""
    seconds = Decimal((session.ends_at - session.starts_at).total_seconds())
    hours = (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return min(hours, MAX_HOURS)


@transaction.atomic(durable=True)
def credit_session_service(
    person: User,
    *,
    session: BookableSession,
    item: PointItem,
    place: str,
    description: str,
) -> bool:
    """Credit a session the person delivered (taught a class session, ran an
    activity) as approved service under `item`, once per person and session:
    False when it already was. Safe to run twice at once."""
    ledger.lock_account(person)
    # Under the lock a second run finds the first one's record; the unique
    # constraint is the backstop should anything else slip through.
    if ServiceRecord.objects.filter(
        volunteer=person, source_session_id=session.pk
    ).exists():
        return False
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                volunteer=person,
                item=item,
                served_on=timezone.localdate(session.starts_at),
                hours=session_hours(session),
                place=place[:100],
                description=description[:1000],
                source_session_id=session.pk,
            )
    except IntegrityError:
        return False
    record.item = item
    record.volunteer = person
    _credit(record, actor=None)
    return True


def _credit_teaching(instructor: User, session: ClassSession, item: PointItem) -> bool:
    return credit_session_service(
        instructor,
        session=session,
        item=item,
        place=session.practice_site.name if session.practice_site else _("线上"),
        description=_("讲授：%(session)s") % {"session": session},
    )


def credit_teaching_hours() -> int:
    """Credit instructors' delivered sessions (ended, not cancelled, with someone
    present or late) as approved service under 授课服务, once per instructor and
    session, each in its own transaction; safe to run twice at once. Returns how
    many records were made."""
    attended = AttendanceRecord.objects.filter(
        session_id=OuterRef("classsession_id"), status__in=ATTENDED
    )
    credited = ServiceRecord.objects.filter(
        volunteer_id=OuterRef("user_id"), source_session_id=OuterRef("classsession_id")
    )
    pending = (
        ClassSession.instructors.through.objects.filter(
            Exists(attended),
            classsession__cancelled_at__isnull=True,
            classsession__ends_at__lte=timezone.now(),
        )
        .exclude(Exists(credited))
        .values_list("user_id", "classsession_id")
        .order_by("classsession_id", "user_id")
    )
    pairs = list(pending)
    if not pairs:
        return 0
    # The item, places and descriptions it writes are data: in the site's
    # language, whatever language the caller happens to be in.
    with translation.override(settings.LANGUAGE_CODE):
        return _credit_pairs(pairs)


def _credit_pairs(pairs: list[tuple[int, int]]) -> int:
    item = teaching_item()
    people = User.objects.in_bulk({user_id for user_id, _session in pairs})
    sessions = ClassSession.objects.select_related(
        "practice_site", "training_class__course"
    ).in_bulk({session_id for _user, session_id in pairs})
    made = 0
    for user_id, session_id in pairs:
        made += _credit_teaching(people[user_id], sessions[session_id], item)
    return made
