"""The 消息中心: `notify` writes one in-app notification per (recipient, key), in
the caller's transaction, and after commit hands it to the outside channels
configured in settings.NOTIFICATION_CHANNELS (e-mail today; an SMS or WeChat
channel is one `Channel` subclass and one line of settings).

Each outside channel sends a notification at most once: a NotificationDelivery
row is claimed in a short transaction of its own, the message is sent outside any
transaction, and the claim is withdrawn if sending fails so that a retry sends it.
A job that runs twice writes one row and sends one e-mail.
"""

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string

from school.models import Notification, NotificationDelivery, User

logger = logging.getLogger(__name__)

Kind = Notification.Kind

DEFAULT_CHANNELS = (
    "school.notifications.InAppChannel",
    "school.notifications.EmailChannel",
)
EMAIL = "email"


@contextmanager
def school_language():
    """Notifications are written in the school's language, whatever the language
    of the request that caused them (a job has none)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@dataclass(frozen=True)
class Message:
    """What an outside channel says: a subject, the text, and the absolute link."""

    subject: str
    body: str
    link: str


class Channel:
    """One way a notification reaches its recipient. A channel has a `name`
    (recorded on each delivery) and sends one message; `reaches` says whether it
    can reach this person at all (no address: nothing is sent or recorded).
    `records_delivery = False` for a channel that is the row itself."""

    name: str = ""
    records_delivery: bool = True

    def reaches(self, recipient: User) -> bool:
        return True

    def send(self, notification: Notification, message: Message) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    """The 消息中心 itself: the notification row is the message."""

    name = "in_app"
    records_delivery = False

    def send(self, notification: Notification, message: Message) -> None:
        return None


class EmailChannel(Channel):
    """E-mail to the recipient's address, when they have one."""

    name = EMAIL

    def reaches(self, recipient: User) -> bool:
        return bool(recipient.email)

    def send(self, notification: Notification, message: Message) -> None:
        body = message.body
        if message.link:
            body = f"{body}\n\n{message.link}\n" if body else f"{message.link}\n"
        send_mail(message.subject, body, None, [notification.recipient.email])


@cache
def _channels(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def channels() -> tuple[Channel, ...]:
    """The configured channels, in order (settings.NOTIFICATION_CHANNELS)."""
    paths = getattr(settings, "NOTIFICATION_CHANNELS", DEFAULT_CHANNELS)
    return _channels(tuple(paths))


# --- writing ----------------------------------------------------------------------


def notify(
    recipient: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str,
    email: bool | None = None,
) -> Notification:
    """Write the recipient's notification once per `key` and, after commit, hand
    it to the outside channels (`email=False`: not to the e-mail channel, for news
    whose e-mail its own app sends). Joins the caller's transaction: if that rolls
    back, so does the notification, and nothing is sent. `recipient` is a loaded
    user: the channels read its addresses to decide whether a job is queued."""
    values = {
        "kind": kind,
        "title": str(title)[:200],
        "body": str(body),
        "url": url if is_local_path(url) else "",
    }
    # Written first and looked up only when the key is taken: almost every key
    # is new, and the unique constraint on (recipient, key) decides a race.
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, key=key[:120], **values
            )
        created = True
    except IntegrityError:
        # Written before (a job run twice), or at the same moment by another run.
        notification = Notification.objects.get(recipient=recipient, key=key[:120])
        created = False
    skip = () if email is None or email else (EMAIL,)
    if created and _outside_channels(recipient, skip):
        notification_id = notification.pk
        # robust: the use case has committed; a channel that fails (or a queue
        # that is down) is logged and must not fail it. The row is there anyway.
        transaction.on_commit(
            lambda: _queue_delivery(notification_id, skip), robust=True
        )
    return notification


def _outside_channels(recipient: User, skip: Iterable[str]) -> list[Channel]:
    """The channels a delivery job would send the recipient's notification
    through: none (no address for any of them), no job."""
    return [
        c
        for c in channels()
        if c.records_delivery and c.name not in skip and c.reaches(recipient)
    ]


def _queue_delivery(notification_id: int, skip: Iterable[str]) -> None:
    from django_q.tasks import async_task

    async_task(
        "school.notifications.deliver_notification_task",
        notification_id,
        list(skip),
        save=False,
    )


def _message(notification: Notification) -> Message:
    link = ""
    if notification.url:
        link = settings.SITE_URL.rstrip("/") + notification.url
    return Message(subject=notification.title, body=notification.body, link=link)


def deliver(notification: Notification, *, skip: Iterable[str] = ()) -> list[str]:
    """Send the notification through every outside channel not in `skip` that
    reaches the recipient, each at most once. Returns the names of the channels
    that sent it now. One failing channel does not stop the others; the first
    failure is raised at the end (the claim withdrawn), so a retry sends it."""
    skip = set(skip)
    message = _message(notification)
    sent, failure = [], None
    for channel in channels():
        if channel.name in skip or not channel.reaches(notification.recipient):
            continue
        if not channel.records_delivery:
            channel.send(notification, message)
            continue
        claim = _claim(notification, channel.name)
        if claim is None:
            continue
        try:
            channel.send(notification, message)
        except Exception as error:  # noqa: BLE001 - retried by the queue
            claim.delete()
            logger.exception(
                "Notification %s through %s", notification.pk, channel.name
            )
            failure = failure or error
        else:
            sent.append(channel.name)
    if failure is not None:
        raise failure
    return sent


def _claim(notification: Notification, channel: str) -> NotificationDelivery | None:
    try:
        with transaction.atomic():
            return NotificationDelivery.objects.create(
                notification=notification, channel=channel
            )
    except IntegrityError:
        return None


def deliver_notification_task(notification_id: int, skip: list[str]) -> list[str]:
    """django-q2 entry point: loads the notification and delivers it; safe to run
    twice."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return []
    return deliver(notification, skip=skip)


# --- reading and marking -----------------------------------------------------------


def is_local_path(url: str) -> bool:
    """A path on this site ("/certificates/…"), never another host: the read
    redirect follows it."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def notifications_of(user: User):
    """The user's notifications, newest first."""
    return Notification.objects.for_recipient(user).order_by("-created_at", "-pk")


def get_notification_for_user(user: User, pk: int) -> Notification:
    """One of the user's own notifications, or 404 (also for someone else's)."""
    if not user.is_authenticated:
        raise Http404
    found = Notification.objects.for_recipient(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (one COUNT)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_recipient(user).unread().count()


def mark_read(notification: Notification, user: User) -> bool:
    """Mark the user's own notification read; whether this call did it."""
    if notification.recipient_id != user.pk:
        raise Http404
    now = timezone.now()
    moved = Notification.objects.filter(
        pk=notification.pk, recipient=user, read_at=None
    ).update(read_at=now)
    if moved:
        notification.read_at = now
    return bool(moved)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many."""
    return (
        Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())
    )
