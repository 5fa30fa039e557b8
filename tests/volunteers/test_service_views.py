"""我的服务, a record's page, its private photo and the coordinator's queue, end to
end through the client, once per role: allowed, not yours (404), and nothing
changed by a GET."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from tests.volunteers.conftest import image_bytes, log, photo_upload
from volunteers import ledger
from volunteers.models import ServiceRecord
from volunteers.services import approve_service_record, reject_service_record

pytestmark = pytest.mark.django_db

Status = ServiceRecord.Status


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log_data(item, day, **extra) -> dict:
    return {
        "item": item.pk,
        "served_on": day.isoformat(),
        "hours": "2",
        "place": "桃园社区",
        "description": "夜间巡查",
        **extra,
    }


def test_a_visitor_is_sent_to_log_in(client):
    for name in ("services:mine", "services:queue", "services:log_for"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login" in response["Location"] or "accounts" in response["Location"]


def test_my_service_page_shows_the_form_my_records_and_balance(
    volunteer, coordinator, patrol_item, yesterday
):
    approved = log(volunteer, patrol_item, served_on=yesterday)
    approve_service_record(approved, actor=coordinator)
    rejected = log(volunteer, patrol_item, served_on=yesterday)
    reject_service_record(rejected, actor=coordinator, reason="照片看不清")
    response = client_for(volunteer).get(reverse("services:mine"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "登记服务" in text and "巡查处置" in text
    assert "照片看不清" in text
    assert "计入 10 积分" in text
    assert response.context["balance"].balance == 10
    assert len(response.context["entries"]) == 1


def test_a_volunteer_logs_a_service_with_a_photo(volunteer, patrol_item, yesterday):
    response = client_for(volunteer).post(
        reverse("services:mine"),
        log_data(patrol_item, yesterday, photo=photo_upload("WEBP", "a.webp")),
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.volunteer, record.status) == (volunteer, Status.PENDING)
    assert record.photo.name.endswith(".webp")


def test_a_bad_photo_is_refused_beside_the_field_and_nothing_is_logged(
    volunteer, patrol_item, yesterday
):
    fake = SimpleUploadedFile("x.jpg", b"<script>", "image/jpeg")
    response = client_for(volunteer).post(
        reverse("services:mine"), log_data(patrol_item, yesterday, photo=fake)
    )
    assert response.status_code == 400
    assert "JPG、PNG 或 WebP" in response.context["form"].errors["photo"][0]
    assert not ServiceRecord.objects.exists()


def test_a_photo_over_5_mb_is_refused_with_a_clear_message(
    volunteer, patrol_item, yesterday
):
    big = SimpleUploadedFile(
        "big.jpg", image_bytes() + b"\0" * (5 * 1024 * 1024), "image/jpeg"
    )
    response = client_for(volunteer).post(
        reverse("services:mine"), log_data(patrol_item, yesterday, photo=big)
    )
    assert response.status_code == 400
    assert "5 MB" in response.context["form"].errors["photo"][0]
    assert not ServiceRecord.objects.exists()


def test_a_future_date_is_refused_beside_the_date(volunteer, patrol_item):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(volunteer).post(
        reverse("services:mine"), log_data(patrol_item, tomorrow)
    )
    assert response.status_code == 400
    assert "不能晚于今天" in response.context["form"].errors["served_on"][0]


def test_the_photo_is_shown_to_the_volunteer_and_covering_coordinator_only(
    volunteer, other_trainee, coordinator, outside_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday, photo=photo_upload())
    url = reverse("services:photo", args=[record.pk])
    for allowed in (volunteer, coordinator):
        response = client_for(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == image_bytes()
    for stranger in (other_trainee, outside_coordinator):
        assert client_for(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # a visitor logs in first


def test_a_visitor_never_gets_the_photo(volunteer, patrol_item, yesterday):
    record = log(volunteer, patrol_item, served_on=yesterday, photo=photo_upload())
    response = Client().get(reverse("services:photo", args=[record.pk]))
    assert response.status_code != 200


def test_a_volunteer_cannot_see_anothers_record(
    volunteer, other_trainee, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    client = client_for(other_trainee)
    assert client.get(reverse("services:record", args=[record.pk])).status_code == 404
    page = client.get(reverse("services:mine"))
    assert record not in page.context["records"]
    assert page.context["balance"] == ledger.balance_of(other_trainee)


def test_a_coordinator_outside_the_unit_gets_404_for_the_record(
    volunteer, outside_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    client = client_for(outside_coordinator)
    assert client.get(reverse("services:record", args=[record.pk])).status_code == 404
    queue = client.get(reverse("services:queue"))
    assert record not in queue.context["page_obj"].object_list


def test_a_coordinator_outside_the_unit_cannot_decide_by_post(
    volunteer, outside_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    response = client_for(outside_coordinator).post(
        reverse("services:decide"), {"record": [record.pk], "action": "approve"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.PENDING


def test_the_queue_is_404_for_a_plain_volunteer(volunteer):
    client = client_for(volunteer)
    assert client.get(reverse("services:queue")).status_code == 404
    assert client.get(reverse("services:log_for")).status_code == 404
    assert client.post(reverse("services:decide"), {}).status_code == 404


def test_the_queue_lists_pending_records_of_covered_units_with_filters(
    volunteer, coordinator, patrol_item, elderly_item, yesterday
):
    patrol = log(volunteer, patrol_item, served_on=yesterday)
    elderly = log(volunteer, elderly_item, served_on=yesterday)
    client = client_for(coordinator)
    page = client.get(reverse("services:queue"))
    assert page.status_code == 200
    assert set(page.context["page_obj"].object_list) == {patrol, elderly}
    filtered = client.get(reverse("services:queue"), {"item": elderly_item.pk})
    assert list(filtered.context["page_obj"].object_list) == [elderly]
    by_unit = client.get(reverse("services:queue"), {"unit": volunteer.org_unit.pk})
    assert set(by_unit.context["page_obj"].object_list) == {patrol, elderly}


def test_a_coordinator_approves_many_at_once(
    volunteer, coordinator, patrol_item, yesterday
):
    records = [log(volunteer, patrol_item, served_on=yesterday) for _ in range(2)]
    response = client_for(coordinator).post(
        reverse("services:decide"),
        {"record": [r.pk for r in records], "action": "approve"},
        follow=True,
    )
    assert "已通过 2 条记录" in response.content.decode()
    assert ledger.balance_of(volunteer).balance == 20


def test_a_rejection_without_a_reason_changes_nothing(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    response = client_for(coordinator).post(
        reverse("services:decide"),
        {"record": [record.pk], "action": "reject", "reason": ""},
        follow=True,
    )
    assert "不通过的原因" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.PENDING


def test_a_coordinator_rejects_with_a_reason(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    client_for(coordinator).post(
        reverse("services:decide"),
        {"record": [record.pk], "action": "reject", "reason": "地点不符"},
    )
    record.refresh_from_db()
    assert (record.status, record.reject_reason) == (Status.REJECTED, "地点不符")


def test_a_coordinator_cannot_approve_their_own_record_in_the_queue(
    coordinator, patrol_item, yesterday
):
    own = log(coordinator, patrol_item, served_on=yesterday)
    client = client_for(coordinator)
    assert own not in client.get(reverse("services:queue")).context["page_obj"]
    client.post(reverse("services:decide"), {"record": [own.pk], "action": "approve"})
    own.refresh_from_db()
    assert own.status == Status.PENDING


def test_a_coordinator_logs_for_a_volunteer_by_phone(
    volunteer, coordinator, patrol_item, yesterday
):
    response = client_for(coordinator).post(
        reverse("services:log_for"),
        log_data(patrol_item, yesterday, phone=volunteer.phone),
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.volunteer, record.logged_by) == (volunteer, coordinator)


def test_a_coordinator_cannot_log_for_someone_outside_their_units(
    volunteer, outside_coordinator, patrol_item, yesterday
):
    response = client_for(outside_coordinator).post(
        reverse("services:log_for"),
        log_data(patrol_item, yesterday, phone=volunteer.phone),
    )
    assert response.status_code == 400
    assert "没有使用该手机号的志愿者" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_an_administrator_sees_every_pending_record(
    volunteer, school_admin, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    page = client_for(school_admin).get(reverse("services:queue"))
    assert record in page.context["page_obj"].object_list


def test_nothing_changes_on_get(volunteer, coordinator, patrol_item, yesterday):
    record = log(volunteer, patrol_item, served_on=yesterday, photo=photo_upload())
    client = client_for(coordinator)
    for url in (
        reverse("services:decide") + f"?record={record.pk}&action=approve",
        reverse("services:queue") + f"?record={record.pk}&action=approve",
        reverse("services:record", args=[record.pk]),
        reverse("services:photo", args=[record.pk]),
        reverse("services:log_for"),
    ):
        client.get(url)
    client_for(volunteer).get(reverse("services:mine"))
    record.refresh_from_db()
    assert record.status == Status.PENDING
    assert ServiceRecord.objects.count() == 1
    assert ledger.balance_of(volunteer).balance == 0
    assert ledger.balance_of(volunteer).hours == Decimal("0")


def test_the_record_page_offers_a_decision_to_a_covering_coordinator(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    page = client_for(coordinator).get(reverse("services:record", args=[record.pk]))
    assert page.context["can_decide"]
    mine = client_for(volunteer).get(reverse("services:record", args=[record.pk]))
    assert not mine.context["can_decide"]
