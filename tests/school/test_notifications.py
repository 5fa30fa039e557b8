"""The 消息中心: one notification per key, each outside channel once, the pages
(mine only, GET changes nothing, no open redirect) and the header's count."""

from django.core import mail
from django.db import transaction
from django.urls import reverse

import pytest

from school import notifications
from school.models import Notification, NotificationDelivery
from school.notifications import Channel, notify

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


class RecordingChannel(Channel):
    """A stand-in for SMS or WeChat: remembers what it was given."""

    name = "sms"
    received: list[tuple[int, str]] = []

    def send(self, notification, message):
        RecordingChannel.received.append((notification.pk, message.subject))


@pytest.fixture
def with_email(trainee):
    trainee.email = "zhangsan@example.cn"
    trainee.save(update_fields=["email"])
    return trainee


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def hello(person, key="hello", **kwargs):
    """notify, as a use case that commits (the test's transaction never does)."""
    kwargs.setdefault("kind", Kind.OTHER)
    kwargs.setdefault("title", "您好")
    kwargs.setdefault("body", "第一条消息")
    kwargs.setdefault("url", "/learning/")
    with _capture(execute=True):
        return notify(person, key=key, **kwargs)


def test_notifying_twice_with_one_key_writes_one_row_and_sends_one_email(with_email):
    first = hello(with_email)
    again = hello(with_email)
    assert first.pk == again.pk
    assert Notification.objects.filter(recipient=with_email).count() == 1
    [message] = mail.outbox
    assert message.to == [with_email.email]
    assert message.subject == "您好"
    assert "第一条消息" in message.body and "/learning/" in message.body


def test_the_email_channel_sends_a_notification_once_however_often_delivered(
    with_email,
):
    notification = hello(with_email)
    assert notifications.deliver(notification) == []
    assert notifications.deliver_notification_task(notification.pk, []) == []
    assert len(mail.outbox) == 1
    assert NotificationDelivery.objects.filter(notification=notification).count() == 1


def test_no_email_address_no_email_and_no_delivery_row(trainee):
    hello(trainee)
    assert Notification.objects.filter(recipient=trainee).count() == 1
    assert not mail.outbox
    assert not NotificationDelivery.objects.exists()


def test_no_channel_reaches_the_recipient_no_delivery_job(trainee):
    """A bulk issue notifies a thousand trainees, most with no e-mail address: no
    job is queued for them, one is for the one with an address."""
    with _capture() as callbacks:
        notify(trainee, kind=Kind.OTHER, title="您好", key="bare")
    assert not callbacks
    other = type(trainee).objects.create(phone="13900000001", email="li@example.cn")
    with _capture() as callbacks:
        notify(other, kind=Kind.OTHER, title="您好", key="bare")
    assert len(callbacks) == 1


def test_email_false_keeps_the_notification_in_app(with_email):
    hello(with_email, email=False)
    assert Notification.objects.filter(recipient=with_email).count() == 1
    assert not mail.outbox


def test_a_rolled_back_use_case_leaves_no_notification_and_sends_nothing(with_email):
    with _capture(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(with_email, kind=Kind.OTHER, title="您好", key="x")
        raise RuntimeError
    assert not Notification.objects.exists()
    assert not mail.outbox


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_a_failed_email_is_sent_by_the_retry(with_email, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    hello(with_email)  # logged; the use case that notified is not failed
    notification = Notification.objects.get(recipient=with_email)
    assert not NotificationDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver_notification_task(notification.pk, []) == ["email"]
    assert len(mail.outbox) == 1


def test_an_extra_channel_named_in_settings_receives_each_notification_once(
    trainee, settings
):
    settings.NOTIFICATION_CHANNELS = [
        "school.notifications.InAppChannel",
        "school.notifications.EmailChannel",
        f"{__name__}.RecordingChannel",
    ]
    RecordingChannel.received.clear()
    notification = hello(trainee)
    hello(trainee)
    notifications.deliver(notification)
    assert RecordingChannel.received == [(notification.pk, "您好")]
    assert NotificationDelivery.objects.get().channel == "sms"
    # email=False skips e-mail only: the extra channel still hears of it.
    hello(trainee, key="booking", email=False)
    assert len(RecordingChannel.received) == 2


def test_a_url_to_another_host_is_not_kept(trainee):
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "x"):
        notification = hello(trainee, key=bad, url=bad)
        assert notification.url == ""


def test_unread_count_and_marking(trainee, other_trainee):
    one = hello(trainee, key="1")
    hello(trainee, key="2")
    hello(other_trainee, key="1")
    assert notifications.unread_count(trainee) == 2
    assert notifications.mark_read(one, trainee) is True
    assert notifications.mark_read(one, trainee) is False
    assert notifications.unread_count(trainee) == 1
    assert notifications.mark_all_read(trainee) == 1
    assert notifications.unread_count(trainee) == 0
    assert notifications.unread_count(other_trainee) == 1


# --- pages --------------------------------------------------------------------------


def test_the_list_shows_mine_newest_first_and_get_marks_nothing_read(
    client, trainee, other_trainee
):
    hello(trainee, key="old", title="旧消息")
    hello(trainee, key="new", title="新消息")
    hello(other_trainee, key="x", title="别人的消息")
    client.force_login(trainee)
    response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("新消息") < html.index("旧消息")
    assert "别人的消息" not in html
    assert "notification--unread" in html
    assert notifications.unread_count(trainee) == 2


def test_the_unread_filter_shows_unread_only(client, trainee):
    read = hello(trainee, key="read", title="看过的")
    hello(trainee, key="unread", title="没看的")
    notifications.mark_read(read, trainee)
    client.force_login(trainee)
    html = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert "没看的" in html and "看过的" not in html


def test_the_list_is_paginated_by_30(client, trainee):
    for number in range(31):
        hello(trainee, key=str(number), title=f"消息{number:02d}")
    client.force_login(trainee)
    first = client.get(reverse("notifications:list")).content.decode()
    assert "消息30" in first and "消息00" not in first
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert "消息00" in second


def test_the_list_needs_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, trainee):
    notification = hello(trainee)
    client.force_login(trainee)
    response = client.post(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/learning/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_get_on_read_changes_nothing(client, trainee):
    notification = hello(trainee)
    client.force_login(trainee)
    response = client.get(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_someone_elses_notification_is_a_404(client, trainee, other_trainee):
    notification = hello(other_trainee)
    client.force_login(trainee)
    response = client.post(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 404
    missing = client.post(reverse("notifications:read", args=[10**9]))
    assert missing.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_stored_foreign_url_is_never_followed(client, trainee):
    # Written past notify (which refuses it): the view still refuses.
    notification = Notification.objects.create(
        recipient=trainee,
        kind=Kind.OTHER,
        title="钓鱼",
        url="//evil.example/login",
        key="phish",
    )
    client.force_login(trainee)
    response = client.post(reverse("notifications:read", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(client, trainee, other_trainee):
    hello(trainee, key="1")
    hello(trainee, key="2")
    hello(other_trainee, key="1")
    client.force_login(trainee)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert notifications.unread_count(trainee) == 0
    assert notifications.unread_count(other_trainee) == 1


def test_the_header_shows_the_unread_count(client, trainee):
    hello(trainee, key="1")
    hello(trainee, key="2")
    hello(trainee, key="3")
    client.force_login(trainee)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert '消息 <span class="badge">3</span>' in html
    notifications.mark_all_read(trainee)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert '消息 <span class="badge">' not in html


def test_the_header_counts_once_and_not_for_the_anonymous(client, trainee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hello(trainee)
    client.force_login(trainee)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:list"))
    counts = [q["sql"] for q in queries if "COUNT" in q["sql"].upper()]
    counted = [sql for sql in counts if "school_notification" in sql]
    # The header's badge and the filter's 未读（n） share one COUNT; the
    # paginator's COUNT of the page is the other.
    assert len([sql for sql in counted if "read_at" in sql]) == 1
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:login"))
    assert not [q for q in queries if "school_notification" in q["sql"]]


def test_a_post_without_a_csrf_token_is_refused_and_marks_nothing(trainee):
    from django.test import Client

    notification = hello(trainee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    for url in (
        reverse("notifications:read", args=[notification.pk]),
        reverse("notifications:read_all"),
    ):
        assert client.post(url).status_code == 403
    assert notifications.unread_count(trainee) == 1
