"""The rules the data must always keep, checked across the whole database.

Most of them the database enforces itself (check and unique constraints); these
checks also catch what a constraint cannot say (a counter equal to its rows, a
balance equal to its ledger) and what a restored backup or a killed process might
have broken. Each check is a few aggregate queries, never a loop over rows, and
returns violation strings naming the ids to look at; `check_all()` is empty when
everything holds. Used by `manage.py check_invariants`, the fault tests and the
multi-process smoke test.
"""

from collections.abc import Callable

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from certificates.models import Certificate, CertificateBatch
from courses.models import BookableSession, Booking, SeatQuota
from volunteers.ledger import EARNED_BY_ENTRY
from volunteers.models import PointAccount, PointEntry, Redemption, Reward

LIMIT = 20  # ids named per violation kind: enough to find them, not a flood


def _ids(rows) -> str:
    ids = [str(pk) for pk in rows[: LIMIT + 1]]
    more = " …" if len(ids) > LIMIT else ""
    return ", ".join(ids[:LIMIT]) + more


def _sum_of(queryset, by: str, field: str, output=None):
    """A correlated subquery: the sum of `field` over `queryset` (filtered on
    `by`=OuterRef("pk")), 0 when there are no rows. Unlike two joined aggregates,
    it multiplies no rows."""
    output = output or IntegerField()
    total = (
        queryset.filter(**{by: OuterRef("pk")})
        .order_by()
        .values(by)
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=output), Value(0), output_field=output)


def _count_of(queryset, by: str):
    counted = (
        queryset.filter(**{by: OuterRef("pk")})
        .order_by()
        .values(by)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- bookings ---------------------------------------------------------------------


def check_sessions() -> list[str]:
    """No session holds more confirmed bookings than seats, and its counters
    equal its rows: confirmed_count = confirmed bookings = open seats taken + seats
    taken from unreleased quotas; reserved_seats = the seats of unreleased quotas."""
    confirmed = Booking.objects.confirmed()
    live_quotas = SeatQuota.objects.filter(released_at__isnull=True)
    sessions = BookableSession.objects.annotate(
        confirmed_rows=_count_of(confirmed, "session"),
        quota_taken=_sum_of(live_quotas, "session", "taken"),
        quota_seats=_sum_of(live_quotas, "session", "seats"),
    )
    problems = []
    over = sessions.filter(confirmed_rows__gt=F("seats")).values_list("pk", flat=True)
    if over:
        problems.append(
            f"overbooked: sessions with more confirmed bookings than seats: {_ids(over)}"
        )
    miscounted = sessions.exclude(confirmed_count=F("confirmed_rows")).values_list(
        "pk", flat=True
    )
    if miscounted:
        problems.append(
            "session confirmed_count differs from its confirmed bookings: "
            + _ids(miscounted)
        )
    split = sessions.exclude(
        confirmed_count=F("open_seats_taken") + F("quota_taken")
    ).values_list("pk", flat=True)
    if split:
        problems.append(
            "session confirmed_count differs from open_seats_taken + quota taken: "
            + _ids(split)
        )
    reserved = sessions.exclude(reserved_seats=F("quota_seats")).values_list(
        "pk", flat=True
    )
    if reserved:
        problems.append(
            "session reserved_seats differs from its unreleased quotas: "
            + _ids(reserved)
        )
    return problems


def check_quotas() -> list[str]:
    """An unreleased quota's `taken` equals its confirmed bookings (a released
    quota's seats went to the open pool with their count) and never exceeds its
    seats."""
    quotas = SeatQuota.objects.filter(released_at__isnull=True).annotate(
        rows=_count_of(Booking.objects.confirmed(), "quota")
    )
    problems = []
    wrong = quotas.exclude(taken=F("rows")).values_list("pk", flat=True)
    if wrong:
        problems.append(
            f"quota taken differs from its confirmed bookings: quotas {_ids(wrong)}"
        )
    over = SeatQuota.objects.filter(taken__gt=F("seats")).values_list("pk", flat=True)
    if over:
        problems.append(f"quota taken exceeds its seats: quotas {_ids(over)}")
    return problems


def check_bookings() -> list[str]:
    """At most one live booking per person and session; waitlist numbers unique
    per session, present on every waitlisted booking and never beyond the numbers
    the session has issued."""
    problems = []
    doubled = (
        Booking.objects.live()
        .order_by()
        .values("session_id", "trainee_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("session_id", "trainee_id")
    )
    if doubled:
        pairs = [f"session {s}/person {p}" for s, p in doubled[:LIMIT]]
        problems.append("more than one live booking: " + ", ".join(pairs))
    numbers = (
        Booking.objects.filter(queue_number__isnull=False)
        .order_by()
        .values("session_id", "queue_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("session_id", "queue_number")
    )
    if numbers:
        pairs = [f"session {s} no. {q}" for s, q in numbers[:LIMIT]]
        problems.append("waitlist number given twice: " + ", ".join(pairs))
    unnumbered = Booking.objects.filter(
        status=Booking.Status.WAITLISTED, queue_number__isnull=True
    ).values_list("pk", flat=True)
    if unnumbered:
        problems.append(f"waitlisted booking without a number: {_ids(unnumbered)}")
    beyond = Booking.objects.filter(
        queue_number__gt=F("session__waitlist_issued")
    ).values_list("pk", flat=True)
    if beyond:
        problems.append(
            f"waitlist number beyond those the session issued: bookings {_ids(beyond)}"
        )
    return problems


# --- certificates -----------------------------------------------------------------


def check_certificates() -> list[str]:
    """One completion certificate per (enrolment, template); numbers and
    verification codes unique."""
    problems = []
    doubled = (
        Certificate.objects.filter(kind=Certificate.Kind.COMPLETION)
        .order_by()
        .values("enrollment_id", "template_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("enrollment_id", "template_id")
    )
    if doubled:
        pairs = [f"enrolment {e}/template {t}" for e, t in doubled[:LIMIT]]
        problems.append("more than one certificate: " + ", ".join(pairs))
    for field, label in (("number", "certificate number"), ("code", "verify code")):
        repeated = (
            Certificate.objects.order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list(field, flat=True)
        )
        if repeated:
            problems.append(f"{label} used twice: {_ids(repeated)}")
    return problems


def check_batches() -> list[str]:
    """A batch never counts more than it holds, and a finished one has counted
    every trainee; a failed trainee in a batch is reported."""
    problems = []
    over = CertificateBatch.objects.filter(
        total__lt=F("done") + F("failed")
    ).values_list("pk", flat=True)
    if over:
        problems.append(f"certificate batch counted beyond its total: {_ids(over)}")
    short = CertificateBatch.objects.filter(
        status=CertificateBatch.Status.FINISHED, total__gt=F("done") + F("failed")
    ).values_list("pk", flat=True)
    if short:
        problems.append(f"certificate batch finished short of its total: {_ids(short)}")
    failed = CertificateBatch.objects.filter(
        Q(failed__gt=0) | Q(status=CertificateBatch.Status.FAILED)
    ).values_list("pk", flat=True)
    if failed:
        problems.append(f"certificate batch with failures: {_ids(failed)}")
    return problems


# --- points and rewards -----------------------------------------------------------


def check_points() -> list[str]:
    """Every account's balance, points earned and hours equal the sums of its
    entries, and the balance is never negative."""
    entries = PointEntry.objects.all()
    hours = DecimalField(max_digits=10, decimal_places=1)
    accounts = PointAccount.objects.annotate(
        ledger=_sum_of(entries, "account", "amount"),
        ledger_earned=_sum_of(
            entries.annotate(earning=EARNED_BY_ENTRY), "account", "earning"
        ),
        ledger_hours=_sum_of(entries, "account", "hours", hours),
    )
    problems = []
    wrong = accounts.exclude(balance=F("ledger")).values_list("pk", flat=True)
    if wrong:
        problems.append(
            f"points balance differs from its ledger: accounts {_ids(wrong)}"
        )
    wrong_earned = accounts.exclude(earned=F("ledger_earned")).values_list(
        "pk", flat=True
    )
    if wrong_earned:
        problems.append(
            f"points earned differ from the ledger: accounts {_ids(wrong_earned)}"
        )
    wrong_hours = accounts.exclude(hours=F("ledger_hours")).values_list("pk", flat=True)
    if wrong_hours:
        problems.append(
            f"service hours differ from the ledger: accounts {_ids(wrong_hours)}"
        )
    negative = PointAccount.objects.filter(balance__lt=0).values_list("pk", flat=True)
    if negative:
        problems.append(f"negative points balance: accounts {_ids(negative)}")
    return problems


def check_rewards() -> list[str]:
    """Stock never negative; every redemption was paid for by exactly its points,
    and a cancelled or expired one (its stock returned) was refunded, a live one
    not."""
    problems = []
    negative = Reward.objects.filter(stock__lt=0).values_list("pk", flat=True)
    if negative:
        problems.append(f"negative reward stock: rewards {_ids(negative)}")
    paid = PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION)
    refunded = PointEntry.objects.filter(kind=PointEntry.Kind.REFUND)
    redemptions = Redemption.objects.annotate(
        paid=_sum_of(paid, "redemption", "amount"),
        refunded=_sum_of(refunded, "redemption", "amount"),
    )
    unpaid = redemptions.exclude(paid=-F("points")).values_list("pk", flat=True)
    if unpaid:
        problems.append(
            f"redemption not paid by exactly its points: redemptions {_ids(unpaid)}"
        )
    returned = [Redemption.Status.CANCELLED, Redemption.Status.EXPIRED]
    not_refunded = (
        redemptions.filter(status__in=returned)
        .exclude(refunded=F("points"))
        .values_list("pk", flat=True)
    )
    refunded_live = (
        redemptions.exclude(status__in=returned)
        .exclude(refunded=0)
        .values_list("pk", flat=True)
    )
    if not_refunded:
        problems.append(
            f"cancelled or expired redemption not refunded: {_ids(not_refunded)}"
        )
    if refunded_live:
        problems.append(f"live redemption refunded: {_ids(refunded_live)}")
    return problems


# --- the queue --------------------------------------------------------------------

# Jobs queued once per piece of work, so a second successful run of the same
# arguments means the work was done twice (a retry after a lost acknowledgement
# records its result under the same task id, not a new row).
ONCE_ONLY_JOBS = ("certificates.tasks.issue_batch_chunk_task",)


def check_queue() -> list[str]:
    """No django-q2 task failed, and no once-only job ran twice."""
    from django_q.models import Task

    problems = []
    failed = Task.objects.filter(success=False).values_list("func", "id")
    if failed:
        names = [f"{func} ({pk})" for func, pk in failed[:LIMIT]]
        problems.append("background task failed: " + ", ".join(names))
    twice = (
        Task.objects.filter(success=True, func__in=ONCE_ONLY_JOBS)
        .order_by()
        .values("func", "args")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("func", flat=True)
    )
    if twice:
        problems.append(
            "background job recorded twice for the same work: " + _ids(twice)
        )
    return problems


CHECKS: tuple[Callable[[], list[str]], ...] = (
    check_sessions,
    check_quotas,
    check_bookings,
    check_certificates,
    check_batches,
    check_points,
    check_rewards,
    check_queue,
)


def check_all() -> list[str]:
    """Every violation of every invariant; empty when all hold."""
    return [problem for check in CHECKS for problem in check()]
