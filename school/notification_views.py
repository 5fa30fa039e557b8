"""The 消息中心 pages: my notifications, open one (marks it read), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from school import notifications

PER_PAGE = 30


@login_required
@never_cache
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """我的消息, newest first, 30 a page; `?unread=1` shows the unread only. Reading
    the list marks nothing read."""
    unread_only = request.GET.get("unread") == "1"
    found = notifications.notifications_of(request.user)
    if unread_only:
        found = found.unread()
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "school/notifications.html",
        {"page_obj": page, "unread_only": unread_only},
    )


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one of my notifications: marked read, then its page (a path on this
    site only; the list otherwise)."""
    notification = notifications.get_notification_for_user(request.user, pk)
    notifications.mark_read(notification, request.user)
    if notifications.is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark all my notifications read."""
    marked = notifications.mark_all_read(request.user)
    if marked:
        messages.success(
            request, _("已将 {count} 条消息标为已读。").format(count=marked)
        )
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect("notifications:list")
