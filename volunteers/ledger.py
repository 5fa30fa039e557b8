"""The points ledger, the only writer of PointAccount and PointEntry.

Every movement appends one entry and moves the account's counters by one
conditional UPDATE in the same transaction: a debit goes through only where the
balance covers it (`balance >= amount`), so two redemptions racing for the last
points cannot both succeed, and the check constraint refuses an overdraft even if
a caller forgot the condition. The UPDATE also takes the account's row lock, so
entries of one person are appended one after another and `balance_after` is
exact. Reads never write: a person without an account has a zero balance.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from school.models import User
from volunteers.models import PointAccount, PointEntry

Kind = PointEntry.Kind


@dataclass(frozen=True)
class Balance:
    """What a person holds: points to spend, points earned in all, service hours."""

    balance: int = 0
    earned: int = 0
    hours: Decimal = Decimal("0")


def balance_of(person: User) -> Balance:
    """One query, whatever the number of entries; no account yet is all zeros."""
    row = (
        PointAccount.objects.filter(person=person)
        .values("balance", "earned", "hours")
        .first()
    )
    return Balance(**row) if row else Balance()


def _account(person: User) -> PointAccount:
    """The person's account, made on their first movement (inside the caller's
    transaction; a concurrent first movement finds the other's row)."""
    account = PointAccount.objects.filter(person=person).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return PointAccount.objects.create(person=person)
    except IntegrityError:
        return PointAccount.objects.get(person=person)


def lock_account(person: User, *, create: bool = True) -> PointAccount | None:
    """The person's account, row-locked until the transaction ends. A use case
    that counts or reads the balance before appending takes it first, so one
    person's movements queue here. Made on first use when `create`; otherwise
    None for someone who never had points."""
    if create:
        account = _account(person)
    else:
        account = PointAccount.objects.filter(person=person).first()
        if account is None:
            return None
    return PointAccount.objects.select_for_update().get(pk=account.pk)


def _earned_by(kind: str, amount: int, reverses: PointEntry | None) -> int:
    """How an entry moves the points earned (what levels count): service credits
    and their reversals do, and an administrator's extra credit; spending,
    refunds and expiry do not."""
    if kind == Kind.SERVICE:
        return amount
    if kind == Kind.CORRECTION:
        if reverses is None:
            return max(amount, 0)
        return amount if reverses.kind == Kind.SERVICE else 0
    return 0


# _earned_by in SQL, per entry: what check_invariants sums to reconcile `earned`.
EARNED_BY_ENTRY = Case(
    When(kind=Kind.SERVICE, then=F("amount")),
    When(kind=Kind.CORRECTION, reverses__isnull=True, amount__gt=0, then=F("amount")),
    When(kind=Kind.CORRECTION, reverses__kind=Kind.SERVICE, then=F("amount")),
    default=Value(0),
    output_field=IntegerField(),
)


def append_entry(
    person: User,
    *,
    kind: str,
    amount: int,
    hours: Decimal = Decimal("0"),
    actor: User | None = None,
    reason: str = "",
    service_record=None,
    redemption=None,
    reverses: PointEntry | None = None,
) -> PointEntry:
    """Append one entry and move the counters with it. A debit the balance does
    not cover is refused (ValidationError, nothing written). Call inside the use
    case's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_entry runs inside the use case's transaction")
    account = _account(person)
    counters = {"balance": F("balance") + amount, "updated_at": timezone.now()}
    earned = _earned_by(kind, amount, reverses)
    if earned:
        counters["earned"] = F("earned") + earned
    if hours:
        counters["hours"] = F("hours") + hours
    moved = PointAccount.objects.filter(pk=account.pk)
    if amount < 0:
        moved = moved.filter(balance__gte=-amount)
    if earned < 0:
        moved = moved.filter(earned__gte=-earned)
    if hours < 0:
        moved = moved.filter(hours__gte=-hours)
    if not moved.update(**counters):
        raise ValidationError(_("积分余额不足。"))
    after = PointAccount.objects.filter(pk=account.pk).values_list(
        "balance", flat=True
    )[0]
    return PointEntry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        hours=hours,
        balance_after=after,
        actor=actor,
        reason=reason[:200],
        service_record=service_record,
        redemption=redemption,
        reverses=reverses,
    )


@transaction.atomic(durable=True)
def correct_entry(entry: PointEntry, *, actor: User, reason: str) -> PointEntry:
    """Undo an entry with a reversing one (the same amount and hours, opposite
    sign), once, with a reason. A credit already spent cannot be reversed below
    zero: refused with the balance named."""
    if not reason.strip():
        raise ValidationError(_("更正须填写原因。"))
    entry = PointEntry.objects.select_related("account__person").get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ValidationError(_("更正记录本身不能再更正。"))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("该记录已更正过。"))
    try:
        with transaction.atomic():
            return append_entry(
                entry.account.person,
                kind=Kind.CORRECTION,
                amount=-entry.amount,
                hours=-entry.hours,
                actor=actor,
                reason=reason.strip(),
                reverses=entry,
            )
    except IntegrityError as error:  # a second correction at the same moment
        raise ValidationError(_("该记录已更正过。")) from error


def _months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last
    day when the day does not exist there: 31 March − 1 month is 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expire_points(now: datetime | None = None) -> int:
    """Daily job: with VOLUNTEER_POINTS_EXPIRE_MONTHS = N > 0, points credited more
    than N months ago and not spent since expire by an EXPIRY entry. Spending
    uses the oldest points first (FIFO), so what expires is the credits before
    the cutoff minus every debit so far minus what already expired; hours never
    expire. Each account under its row lock in its own transaction, so a
    redemption at the same moment queues behind it; a second run writes
    nothing. Returns the number of entries written."""
    months = getattr(settings, "VOLUNTEER_POINTS_EXPIRE_MONTHS", 0)
    if months <= 0:
        return 0
    now = now or timezone.now()
    cutoff = _months_before(now, months)
    accounts = (
        PointEntry.objects.filter(created_at__lt=cutoff, amount__gt=0)
        .exclude(kind__in=[Kind.REFUND])
        .values_list("account_id", flat=True)
        .distinct()
    )
    written = 0
    for account_id in list(accounts):
        written += _expire_account(account_id, cutoff=cutoff, now=now)
    return written


@transaction.atomic(durable=True)
def _expire_account(account_id: int, *, cutoff: datetime, now: datetime) -> int:
    account = (
        PointAccount.objects.select_for_update()
        .select_related("person")
        .get(pk=account_id)
    )
    entries = PointEntry.objects.filter(account=account)
    # Credits: service points and an administrator's extra points (a positive
    # correction). A refund is not a credit: it cancels the spending it returns.
    credited = Q(kind=Kind.SERVICE) | Q(
        kind=Kind.CORRECTION, amount__gt=0, reverses__isnull=True
    )
    # An administrator who undoes an expiry means those points to stay: the
    # reversal is neither a credit nor a refund, and the expiry still counts as
    # done, so the next run does not take them again.
    undone_expiry = Q(reverses__kind=Kind.EXPIRY)
    old_credits = entries.filter(credited, created_at__lt=cutoff).aggregate(
        total=Sum("amount")
    )["total"]
    # Debits net of refunds (a reversal of a credit is a debit too).
    spent = -(
        entries.exclude(credited)
        .exclude(undone_expiry)
        .exclude(kind=Kind.EXPIRY)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    expired = -(
        entries.filter(kind=Kind.EXPIRY).aggregate(total=Sum("amount"))["total"] or 0
    )
    due = min((old_credits or 0) - spent - expired, account.balance)
    if due <= 0:
        return 0
    append_entry(
        account.person,
        kind=Kind.EXPIRY,
        amount=-due,
        reason=_("{date}前获得的积分已过期").format(
            date=timezone.localdate(cutoff).isoformat()
        ),
    )
    return 1
