"""What the volunteers app tells people in their 消息中心 (school.notifications):
level changes, promotion decisions, the public notice and its objections,
recruitment decisions and redemption codes. Each is called inside the use case's
transaction (the row rolls back with it; e-mail goes after commit) with a key
made of the row it is about, so a use case or job that runs twice tells once."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from school.models import Level, Notification
from school.notifications import notify, school_language
from volunteers.models import (
    LevelEvent,
    Objection,
    Promotion,
    Redemption,
    RedemptionEvent,
    RoundApplication,
)

Kind = Notification.Kind


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def _level(value: str) -> str:
    return str(Level(value).label)


# --- levels and promotions -----------------------------------------------------------


def level_changed(event: LevelEvent) -> None:
    """The person's level moved (a promotion, the ladder, an administrator)."""
    with school_language():
        title = _("您的等级已由%(from)s变为%(to)s") % {
            "from": _level(event.from_level),
            "to": _level(event.to_level),
        }
        body = event.note
    notify(
        event.person,
        kind=Kind.PROMOTION,
        title=title,
        body=body,
        url=reverse("growth:mine"),
        key=f"level-event-{event.pk}",
    )


def _promotion_url(promotion: Promotion) -> str:
    return reverse("promotions:promotion", args=[promotion.pk])


def promotion_in_notice(promotion: Promotion) -> None:
    """Approved into the public notice 公示."""
    with school_language():
        title = _("您晋级%(level)s的申请已通过审核，进入公示") % {
            "level": _level(promotion.to_level)
        }
        body = _("公示期至 %(ends)s；期满无异议即生效。") % {
            "ends": _when(promotion.notice_ends_at)
        }
    notify(
        promotion.person,
        kind=Kind.NOTICE,
        title=title,
        body=body,
        url=_promotion_url(promotion),
        key=f"promotion-{promotion.pk}-notice",
    )


def promotion_rejected(promotion: Promotion) -> None:
    """Rejected at review, or by an upheld objection."""
    with school_language():
        title = _("您晋级%(level)s的申请未通过") % {"level": _level(promotion.to_level)}
        body = _("原因：%(reason)s") % {"reason": promotion.reject_reason}
    notify(
        promotion.person,
        kind=Kind.PROMOTION,
        title=title,
        body=body,
        url=_promotion_url(promotion),
        key=f"promotion-{promotion.pk}-rejected",
    )


def objection_lodged(objection: Objection) -> None:
    """The person in notice hears that it is held (never who objected)."""
    promotion = objection.promotion
    with school_language():
        title = _("您的晋级公示收到异议，公示暂停")
        body = _("管理员核实处理后会通知您结果。")
    notify(
        promotion.person,
        kind=Kind.NOTICE,
        title=title,
        body=body,
        url=_promotion_url(promotion),
        key=f"objection-{objection.pk}-lodged",
    )


def objection_resolved(objection: Objection) -> None:
    """The objector hears how their objection was resolved."""
    with school_language():
        if objection.resolution == Objection.Resolution.UPHELD:
            title = _("您提出的异议成立")
        else:
            title = _("您提出的异议不成立")
        body = _("处理说明：%(note)s") % {"note": objection.resolution_note}
    notify(
        objection.objector,
        kind=Kind.NOTICE,
        title=title,
        body=body,
        url=reverse("promotions:notice"),
        key=f"objection-{objection.pk}-resolved",
    )


def notice_resumed(promotion: Promotion, objection: Objection) -> None:
    """The last open objection was dismissed: the notice runs on."""
    with school_language():
        title = _("异议不成立，您的晋级公示继续")
        body = _("公示期顺延至 %(ends)s。") % {"ends": _when(promotion.notice_ends_at)}
    notify(
        promotion.person,
        kind=Kind.NOTICE,
        title=title,
        body=body,
        url=_promotion_url(promotion),
        key=f"promotion-{promotion.pk}-resumed-{objection.pk}",
    )


# --- recruitment ---------------------------------------------------------------------


def application_decided(application: RoundApplication) -> None:
    """Shortlisted (入围) or not selected (未入选) in a recruitment round."""
    status = application.status
    with school_language():
        title = _("%(round)s：%(status)s") % {
            "round": application.recruitment_round.title,
            "status": application.get_status_display(),
        }
    notify(
        application.person,
        kind=Kind.PROMOTION,
        title=title,
        url=reverse("recruitment:application", args=[application.pk]),
        key=f"round-application-{application.pk}-{status}",
    )


# --- redemptions ---------------------------------------------------------------------

_REDEMPTION_TITLES = {
    RedemptionEvent.Kind.ISSUED: lambda title: _("兑换成功：%(title)s") % title,
    RedemptionEvent.Kind.USED: lambda title: _("兑换码已使用：%(title)s") % title,
    RedemptionEvent.Kind.CANCELLED: lambda title: _("兑换已取消：%(title)s") % title,
    RedemptionEvent.Kind.EXPIRED: lambda title: _("兑换码已过期：%(title)s") % title,
}


def redemption_event(redemption: Redemption, event: RedemptionEvent) -> None:
    """A code issued, used, cancelled or expired; only expiry is e-mailed (the
    others happen in front of the person)."""
    with school_language():
        title = _REDEMPTION_TITLES[event.kind]({"title": redemption.reward.title})
        if event.kind == RedemptionEvent.Kind.ISSUED:
            body = _("兑换码 %(code)s，请在 %(expires)s 前到商户使用。") % {
                "code": redemption.code,
                "expires": _when(redemption.expires_at),
            }
        elif event.kind in (
            RedemptionEvent.Kind.CANCELLED,
            RedemptionEvent.Kind.EXPIRED,
        ):
            body = _("%(points)s 积分已退回。") % {"points": redemption.points}
        else:
            body = ""
    notify(
        redemption.person,
        kind=Kind.REDEMPTION,
        title=title,
        body=body,
        url=reverse("rewards:redemption", args=[redemption.pk]),
        key=f"redemption-event-{event.pk}",
        email=event.kind == RedemptionEvent.Kind.EXPIRED,
    )
