"""Service-record proofs (志愿服务记录证明): what a volunteer's approved service
adds up to over a period, issued by the Volunteer Academy as a document of the
certificates app (numbered, sealed, frozen at issue, verifiable and revocable
like a certificate). Only approved records count; the volunteer chooses the
period, all of it by default."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.services import issue_document
from certificates.snapshots import PRINT_LANGUAGE, date_label, hours_label
from school.models import SchoolPage, User
from school.permissions import user_is_school_admin
from volunteers.models import ServiceRecord

PROOF = Certificate.Kind.SERVICE_PROOF


def issuing_school() -> SchoolPage | None:
    """The school that issues proofs: the Volunteer Academy (the first one, if a
    site ever has two)."""
    return (
        SchoolPage.objects.filter(kind=SchoolPage.Kind.VOLUNTEER_ACADEMY)
        .order_by("path")
        .first()
    )


def approved_records(person: User, *, since: date | None, until: date | None):
    """The person's approved service records in the period (open ends: all)."""
    records = ServiceRecord.objects.approved().filter(volunteer=person)
    if since is not None:
        records = records.filter(served_on__gte=since)
    if until is not None:
        records = records.filter(served_on__lte=until)
    return records


def _check_period(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise ValidationError(_("开始日期不能晚于结束日期，请重新选择。"))
    if until and until > timezone.localdate():
        raise ValidationError(_("结束日期不能晚于今天，请重新选择。"))


def proof_snapshot(
    person: User, records: QuerySet, *, since: date | None, until: date | None
) -> dict:
    """What a proof prints, from the person and the records as they are now: the
    name, an identity that is no ID number (masked phone, org unit), the period,
    the total hours and the hours per service item."""
    bounds = records.aggregate(first=Min("served_on"), last=Max("served_on"))
    starts_on, ends_on = since or bounds["first"], until or bounds["last"]
    per_item: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    record_ids = []
    total = Decimal(0)
    for record in records.select_related("item").order_by("served_on", "pk"):
        per_item[record.item.name][0] += 1
        per_item[record.item.name][1] += record.hours
        total += record.hours
        record_ids.append(record.pk)
    items = [
        {"name": name, "count": count, "hours": hours_label(hours)}
        for name, (count, hours) in sorted(
            per_item.items(), key=lambda entry: (-entry[1][1], entry[0])
        )
    ]
    with translation.override(PRINT_LANGUAGE):
        heading = str(PROOF.label)
    return {
        "heading": heading,
        "holder_name": person.real_name,
        "phone_masked": person.masked_phone,
        "org_unit_name": person.org_unit.full_name if person.org_unit_id else "",
        "starts_on": starts_on.isoformat(),
        "starts_on_label": date_label(starts_on),
        "ends_on": ends_on.isoformat(),
        "ends_on_label": date_label(ends_on),
        "total_hours": hours_label(total),
        "record_count": len(record_ids),
        "items": items,
        "record_ids": record_ids,
    }


@transaction.atomic(durable=True)
def issue_service_proof(
    person: User, *, since: date | None, until: date | None, actor: User
) -> Certificate:
    """Issue a proof of the person's approved service from `since` to `until`
    (either open: from the first, to the last approved record). The person asks
    for their own (an administrator may for anyone); a period with no approved
    service is refused with what to do instead."""
    if actor.pk != person.pk and not user_is_school_admin(actor):
        raise PermissionDenied
    _check_period(since, until)
    school = issuing_school()
    if school is None:
        raise ValidationError(
            _("尚未设置志愿者培训学院，暂时不能出具证明。请联系管理员。")
        )
    records = approved_records(person, since=since, until=until)
    if not records.exists():
        raise ValidationError(
            _(
                "所选期间没有已通过审核的服务记录，不能出具证明。"
                "请调整起止日期，或在服务记录通过审核后再来。"
            )
        )
    snapshot = proof_snapshot(person, records, since=since, until=until)
    return issue_document(
        kind=PROOF,
        holder=person,
        school=school,
        snapshot=snapshot,
        actor=actor,
        note=f"{snapshot['starts_on']}–{snapshot['ends_on']}",
    )


def proofs_of(person: User) -> QuerySet:
    """The person's service-record proofs, newest first."""
    return (
        Certificate.objects.for_holder(person)
        .of_kind(PROOF)
        .order_by("-issued_at", "-pk")
    )


def get_proof_for_holder(user: User, pk: int) -> Certificate:
    """One of the user's own proofs, or 404 (also for someone else's)."""
    if not user.is_authenticated:
        raise Http404
    proof = proofs_of(user).filter(pk=pk).first()
    if proof is None:
        raise Http404
    return proof
