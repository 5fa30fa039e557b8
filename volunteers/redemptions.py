"""Rewards bought with points: redeem, mark used, cancel, expire.

Every use case that moves a person's points or a reward's stock takes the person's
PointAccount row lock FIRST, then the reward's row (stock by conditional UPDATE),
then appends the ledger entry: one order everywhere, so a redemption and a
cancellation of the same person cannot deadlock, and one person's redemptions
queue one behind the other, which makes the per-person limit exact. Stock moves
only by `stock = stock ± 1` conditional UPDATEs under the check constraint, so the
last item goes once however many press 兑换 at the same instant.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from school.models import Level, User
from school.permissions import user_is_school_admin
from volunteers import ledger, notifications
from volunteers.models import (
    PointEntry,
    Redemption,
    RedemptionEvent,
    Reward,
)

Status = Redemption.Status
CODE_TRIES = 5


def normalise_code(code: str) -> str:
    """A code as typed or scanned: spaces and dashes dropped, upper case."""
    return "".join(code.split()).replace("-", "").upper()


def reason_not_to_redeem(
    reward: Reward,
    *,
    person: User,
    balance: int,
    live_count: int,
    today=None,
) -> str:
    """Why the person may not redeem the reward now, in words a volunteer
    understands (empty when they may): level, offer window, per-person limit,
    stock, balance — in that order. The one rule for the catalogue and the
    service."""
    today = today or timezone.localdate()
    if Level.rank(person.level) < Level.rank(reward.minimum_level):
        return _("仅限{level}及以上兑换。").format(
            level=Level(reward.minimum_level).label
        )
    if not reward.is_active or not reward.merchant.is_active:
        return _("该权益已下架。")
    if reward.valid_from and today < reward.valid_from:
        return _("{day}起可兑换。").format(day=date_format(reward.valid_from))
    if reward.valid_until and today > reward.valid_until:
        return _("兑换已于{day}截止。").format(day=date_format(reward.valid_until))
    if reward.per_person_limit is not None and live_count >= reward.per_person_limit:
        return _("每人限兑 {limit} 次，您已兑换 {count} 次。").format(
            limit=reward.per_person_limit, count=live_count
        )
    if reward.stock < 1:
        return _("已兑完。")
    if balance < reward.points_cost:
        return _("还差 {missing} 积分。").format(missing=reward.points_cost - balance)
    return ""


def catalogue_for(person: User) -> tuple[ledger.Balance, list[tuple[Reward, str]]]:
    """积分商城 for one person: their balance, and every reward on offer with why
    they may not redeem it ("" when they may), in three queries."""
    balance = ledger.balance_of(person)
    live = dict(
        Redemption.objects.live()
        .filter(person=person)
        .values_list("reward")
        .annotate(n=Count("pk"))
    )
    today = timezone.localdate()
    rows = [
        (
            reward,
            reason_not_to_redeem(
                reward,
                person=person,
                balance=balance.balance,
                live_count=live.get(reward.pk, 0),
                today=today,
            ),
        )
        for reward in Reward.objects.on_offer().select_related("merchant")
    ]
    return balance, rows


@transaction.atomic(durable=True)
def redeem_reward(reward: Reward, *, person: User) -> Redemption:
    """Spend the person's points on one item of the reward: level, offer, limit,
    stock and balance checked under the person's account lock; the stock and
    the points move together or not at all. Returns the issued redemption."""
    account = ledger.lock_account(person, create=False)
    reward = Reward.objects.select_related("merchant").get(pk=reward.pk)
    person = User.objects.get(pk=person.pk)  # the level as it is now
    live_count = Redemption.objects.live().filter(person=person, reward=reward).count()
    balance = account.balance if account else 0
    reason = reason_not_to_redeem(
        reward, person=person, balance=balance, live_count=live_count
    )
    # An empty shelf is left to the conditional UPDATE below, which decides it.
    if reason and reason != _("已兑完。"):
        raise ValidationError(reason)
    # Stock by one conditional UPDATE: the last item goes to exactly one caller.
    taken = Reward.objects.filter(pk=reward.pk, stock__gte=1).update(
        stock=F("stock") - 1
    )
    if not taken:
        raise ValidationError(_("已兑完。"))
    now = timezone.now()
    redemption = _issue(reward, person=person, now=now)
    try:
        ledger.append_entry(
            person,
            kind=PointEntry.Kind.REDEMPTION,
            amount=-reward.points_cost,
            actor=person,
            reason=reward.title,
            redemption=redemption,
        )
    except ValidationError as error:
        # Raising rolls the whole transaction back: the stock too.
        raise ValidationError(
            _("积分不足：需要 {cost} 积分，当前余额 {balance} 积分。").format(
                cost=reward.points_cost, balance=balance
            )
        ) from error
    event = RedemptionEvent.objects.create(
        redemption=redemption, kind=RedemptionEvent.Kind.ISSUED, actor=person
    )
    notifications.redemption_event(redemption, event)
    return redemption


def _issue(reward: Reward, *, person: User, now: datetime) -> Redemption:
    """The redemption row with a fresh code; a collision with an existing code
    (rare: 31^10 codes) is retried with another."""
    for attempt in range(CODE_TRIES):
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    reward=reward,
                    person=person,
                    points=reward.points_cost,
                    created_at=now,
                    expires_at=now + timedelta(days=reward.code_valid_days),
                )
        except IntegrityError:
            if attempt == CODE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def user_can_mark_used(user: User, redemption: Redemption) -> bool:
    """A merchant account of the reward's merchant, or an administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_is_school_admin(user):
        return True
    return redemption.reward.merchant.staff.filter(pk=user.pk).exists()


def find_code_for(user: User, code: str) -> Redemption:
    """The redemption with the code, if the user may mark it; another merchant's
    code reads as not found, like a code that does not exist."""
    redemption = (
        Redemption.objects.select_related("reward__merchant", "person")
        .filter(code=normalise_code(code))
        .first()
    )
    if redemption is None or not user_can_mark_used(user, redemption):
        raise ValidationError(_("未找到该兑换码，请核对后重新输入。"))
    return redemption


def _why_not_usable(redemption: Redemption, now: datetime) -> str:
    if redemption.status == Status.USED:
        return _("该兑换码已于{when}使用，不能重复核销。").format(
            when=date_format(timezone.localtime(redemption.used_at), "Y-m-d H:i")
        )
    if redemption.status == Status.CANCELLED:
        return _("该兑换码已取消。")
    if redemption.status == Status.EXPIRED or redemption.expires_at <= now:
        return _("该兑换码已于{when}过期。").format(
            when=date_format(timezone.localtime(redemption.expires_at), "Y-m-d H:i")
        )
    return ""


@transaction.atomic(durable=True)
def mark_used(code: str, *, actor: User) -> Redemption:
    """Mark a code used, once, by the merchant's staff or an administrator: a
    second (or simultaneous) use is refused with when it was used; an expired or
    cancelled code is refused; another merchant's code is not found."""
    redemption = find_code_for(actor, code)
    now = timezone.now()
    used = Redemption.objects.filter(
        pk=redemption.pk, status=Status.ISSUED, expires_at__gt=now
    ).update(status=Status.USED, used_at=now, used_by=actor)
    if not used:
        redemption.refresh_from_db()
        raise ValidationError(_why_not_usable(redemption, now) or _("该兑换码不可用。"))
    redemption.refresh_from_db()
    event = RedemptionEvent.objects.create(
        redemption=redemption, kind=RedemptionEvent.Kind.USED, actor=actor
    )
    notifications.redemption_event(redemption, event)
    return redemption


def space_rights_of(person: User):
    """The person's unused, unexpired space-use rights (空间使用权) not already
    behind a live activity proposal: what they may propose an activity on."""
    return (
        Redemption.objects.filter(
            person=person,
            status=Status.ISSUED,
            expires_at__gt=timezone.now(),
            reward__category=Reward.Category.SPACE_USE,
        )
        .exclude(activities__status__in=["pending", "approved", "cancelled"])
        .select_related("reward")
        .order_by("expires_at", "pk")
    )


def use_right(redemption: Redemption, *, actor: User, note: str) -> None:
    """Spend a space-use right on an approved activity, inside the caller's
    transaction: once, and only while it is unused and unexpired."""
    now = timezone.now()
    used = Redemption.objects.filter(
        pk=redemption.pk,
        status=Status.ISSUED,
        expires_at__gt=now,
        reward__category=Reward.Category.SPACE_USE,
    ).update(status=Status.USED, used_at=now, used_by=actor)
    if not used:
        redemption.refresh_from_db()
        raise ValidationError(
            _("发起人的空间使用权已不可用：%(why)s")
            % {"why": _why_not_usable(redemption, now) or _("该兑换码不可用。")}
        )
    event = RedemptionEvent.objects.create(
        redemption=redemption,
        kind=RedemptionEvent.Kind.USED,
        actor=actor,
        note=note[:200],
    )
    notifications.redemption_event(redemption, event)


def user_can_cancel(user: User, redemption: Redemption) -> bool:
    """The person who redeemed, or an administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    return redemption.person_id == user.pk or user_is_school_admin(user)


def _give_back(redemption: Redemption, *, actor: User | None, reason: str) -> None:
    """Stock and points back for a redemption just moved out of issued."""
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    ledger.append_entry(
        redemption.person,
        kind=PointEntry.Kind.REFUND,
        amount=redemption.points,
        actor=actor,
        reason=reason,
        redemption=redemption,
    )


@transaction.atomic(durable=True)
def cancel_redemption(redemption: Redemption, *, actor: User) -> Redemption:
    """Cancel an unused, unexpired redemption, once: points and stock return.
    By the person who redeemed or an administrator."""
    redemption = Redemption.objects.select_related("person", "reward").get(
        pk=redemption.pk
    )
    if not user_can_cancel(actor, redemption):
        raise ValidationError(_("只能取消自己的兑换。"))
    ledger.lock_account(redemption.person, create=False)
    now = timezone.now()
    cancelled = Redemption.objects.filter(
        pk=redemption.pk, status=Status.ISSUED, expires_at__gt=now
    ).update(status=Status.CANCELLED, cancelled_at=now)
    if not cancelled:
        redemption.refresh_from_db()
        reason = _why_not_usable(redemption, now)
        if redemption.status == Status.CANCELLED:
            reason = _("该兑换已取消，积分已退回。")
        elif redemption.status == Status.USED:
            reason = _("该兑换码已使用，不能取消。")
        raise ValidationError(reason or _("该兑换不能取消。"))
    _give_back(
        redemption,
        actor=actor,
        reason=_("取消兑换：{title}").format(title=redemption.reward.title),
    )
    event = RedemptionEvent.objects.create(
        redemption=redemption, kind=RedemptionEvent.Kind.CANCELLED, actor=actor
    )
    notifications.redemption_event(redemption, event)
    redemption.refresh_from_db()
    return redemption


def expire_redemptions(now: datetime | None = None) -> int:
    """Daily job: issued codes past their expiry become expired, and — as the
    academy does with an unclaimed reward — the points go back to the person and
    the item back to stock. Each in its own transaction; a code already expired,
    used or cancelled is skipped, so a second run does nothing. Returns how many
    expired."""
    now = now or timezone.now()
    due = Redemption.objects.filter(status=Status.ISSUED, expires_at__lte=now)
    expired = 0
    for pk in due.values_list("pk", flat=True).iterator():
        expired += _expire_one(pk, now)
    return expired


@transaction.atomic(durable=True)
def _expire_one(pk: int, now: datetime) -> int:
    redemption = Redemption.objects.select_related("person", "reward").get(pk=pk)
    ledger.lock_account(redemption.person, create=False)
    if not Redemption.objects.filter(
        pk=pk, status=Status.ISSUED, expires_at__lte=now
    ).update(status=Status.EXPIRED):
        return 0  # used or cancelled meanwhile, or expired by another run
    _give_back(
        redemption,
        actor=None,
        reason=_("兑换码过期退回：{title}").format(title=redemption.reward.title),
    )
    event = RedemptionEvent.objects.create(
        redemption=redemption, kind=RedemptionEvent.Kind.EXPIRED
    )
    notifications.redemption_event(redemption, event)
    return 1
