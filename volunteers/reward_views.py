"""Reward pages: 积分商城 (what points buy, and for me whether and why not), the
confirmation and the POST that redeems, 我的兑换 (codes as text and QR, cancel
while allowed), one redemption, and the merchant's phone page that marks a code
used. Thin views over volunteers.redemptions; every change is a POST."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

import segno

from certificates.views import mask_name
from school.models import User
from school.permissions import user_is_school_admin
from volunteers import ledger, redemptions
from volunteers.models import Merchant, Redemption, Reward

Status = Redemption.Status

# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def get_reward_on_offer(pk: int) -> Reward:
    """A reward the catalogue shows (active, in its window), else 404."""
    return get_object_or_404(
        Reward.objects.on_offer().select_related("merchant"), pk=pk
    )


def get_redemption_for_person(user: User, pk: int) -> Redemption:
    """The user's own redemption; another's reads as not found."""
    return get_object_or_404(
        Redemption.objects.select_related("reward__merchant"), pk=pk, person=user
    )


def get_merchants_for_staff(user: User) -> list[Merchant]:
    """The shops whose codes the user marks (all, for an administrator); someone
    who marks for none gets 404 on the merchant page."""
    shops = Merchant.objects.filter(is_active=True)
    if not user_is_school_admin(user):
        shops = shops.filter(staff=user)
    shops = list(shops)
    if not shops:
        raise Http404
    return shops


def _qr_svg(code: str, label: str) -> SafeString:
    """The redemption code as an inline SVG QR."""
    svg = segno.make_qr(code, error="m").svg_inline(
        scale=4, border=4, svgclass="reward-code__qr", omitsize=True
    )
    # segno writes only our code (letters and digits) and its own path.
    return mark_safe(  # noqa: S308
        svg.replace(
            "<svg ", str(format_html('<svg role="img" aria-label="{}" ', label)), 1
        )
    )


def _grouped(code: str) -> str:
    """ABCDE FGHJK: easier to read aloud."""
    return " ".join(code[i : i + 5] for i in range(0, len(code), 5))


def _can_cancel(redemption: Redemption, now) -> bool:
    return redemption.status == Status.ISSUED and redemption.expires_at > now


# The volunteer: catalogue, redeem, my redemptions.


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """积分商城: every reward on offer, with for each whether I may redeem it and
    why not."""
    balance, offered = redemptions.catalogue_for(request.user)
    rows = [{"reward": reward, "reason": reason} for reward, reason in offered]
    return render(
        request,
        "volunteers/reward_catalogue.html",
        {"rows": rows, "balance": balance},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the redemption will cost and leave (a confirmation, nothing
    changes). POST: redeem, then the code."""
    reward = get_reward_on_offer(pk)
    if request.method == "POST":
        try:
            made = redemptions.redeem_reward(reward, person=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect("rewards:catalogue")
        messages.success(
            request,
            _("兑换成功：{title}。请在有效期内向商户出示兑换码。").format(
                title=reward.title
            ),
        )
        return redirect("rewards:redemption", pk=made.pk)
    balance = ledger.balance_of(request.user).balance
    live = Redemption.objects.live().filter(person=request.user, reward=reward).count()
    return render(
        request,
        "volunteers/reward_redeem.html",
        {
            "reward": reward,
            "balance": balance,
            "after": balance - reward.points_cost,
            "reason": redemptions.reason_not_to_redeem(
                reward, person=request.user, balance=balance, live_count=live
            ),
        },
    )


@login_required
@never_cache
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我的兑换: my codes (text and QR while usable), status, expiry, cancel."""
    now = timezone.now()
    rows = []
    for redemption in Redemption.objects.filter(person=request.user).select_related(
        "reward__merchant"
    ):
        usable = _can_cancel(redemption, now)
        rows.append(
            {
                "redemption": redemption,
                "grouped": _grouped(redemption.code),
                "qr": _qr_svg(redemption.code, _("兑换码二维码")) if usable else "",
                "can_cancel": usable,
            }
        )
    return render(
        request,
        "volunteers/reward_mine.html",
        {"rows": rows, "balance": ledger.balance_of(request.user)},
    )


@login_required
@never_cache
@require_safe
def redemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my redemptions: the code to show the merchant."""
    redemption = get_redemption_for_person(request.user, pk)
    usable = _can_cancel(redemption, timezone.now())
    return render(
        request,
        "volunteers/reward_redemption.html",
        {
            "redemption": redemption,
            "grouped": _grouped(redemption.code),
            "qr": _qr_svg(redemption.code, _("兑换码二维码")) if usable else "",
            "can_cancel": usable,
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel my unused redemption: points and stock come back."""
    redemption = get_redemption_for_person(request.user, pk)
    try:
        redemptions.cancel_redemption(redemption, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            _("已取消兑换，{points} 积分已退回。").format(points=redemption.points),
        )
    return redirect("rewards:mine")


# The merchant's phone page.


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("兑换码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "done",
            }
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def merchant(request: HttpRequest) -> HttpResponse:
    """商户核销: type or scan a code and mark it used; each POST marks one and
    comes back here for the next, saying what was marked or why not."""
    shops = get_merchants_for_staff(request.user)
    if request.method == "POST":
        form = CodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请输入兑换码。"))
            return redirect("rewards:merchant")
        try:
            used = redemptions.mark_used(form.cleaned_data["code"], actor=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(
                request,
                _("核销成功：{title} · {name}（兑换码 {code}）").format(
                    title=used.reward.title,
                    name=mask_name(used.person.real_name),
                    code=used.code,
                ),
            )
        return redirect("rewards:merchant")
    today = timezone.localdate()
    used_today = Redemption.objects.filter(
        reward__merchant__in=shops, status=Status.USED, used_at__date=today
    ).select_related("reward", "person")[:20]
    return render(
        request,
        "volunteers/merchant_scan.html",
        {
            "shops": shops,
            "form": CodeForm(),
            "used_today": [
                {"redemption": r, "name": mask_name(r.person.real_name)}
                for r in used_today
            ],
        },
    )
