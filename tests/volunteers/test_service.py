"""Service records: logging, deciding, caps, photos and teaching hours."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from courses.models import AttendanceRecord, Booking
from tests.courses.factories import ClassSessionFactory
from tests.volunteers.conftest import image_bytes, log, photo_upload
from volunteers import ledger, services
from volunteers.models import PointEntry, PointItem, ServiceRecord, ServiceRecordEvent

pytestmark = pytest.mark.django_db

Status = ServiceRecord.Status


def test_a_volunteer_logs_a_pending_service_with_an_event(
    volunteer, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    assert record.status == Status.PENDING
    assert record.logged_by == volunteer
    assert list(record.events.values_list("kind", flat=True)) == ["logged"]
    assert ledger.balance_of(volunteer).balance == 0


def test_a_future_date_is_refused(volunteer, patrol_item):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        log(volunteer, patrol_item, served_on=timezone.localdate() + timedelta(days=1))
    assert not ServiceRecord.objects.exists()


def test_an_item_not_in_force_that_day_is_refused(volunteer, patrol_item, yesterday):
    patrol_item.active_from = timezone.localdate()
    patrol_item.save()
    with pytest.raises(ValidationError, match="未启用"):
        log(volunteer, patrol_item, served_on=yesterday)


@pytest.mark.parametrize("hours", [Decimal("-1"), Decimal("24.5"), "abc"])
def test_hours_outside_a_day_are_refused(volunteer, patrol_item, yesterday, hours):
    with pytest.raises(ValidationError, match="0 到 24"):
        log(volunteer, patrol_item, served_on=yesterday, hours=hours)


def test_a_per_hour_item_needs_hours(volunteer, elderly_item, yesterday):
    with pytest.raises(ValidationError, match="须填写服务时长"):
        log(volunteer, elderly_item, served_on=yesterday, hours=Decimal("0"))


def test_a_coordinator_logs_for_a_volunteer_they_cover(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday, actor=coordinator)
    assert record.logged_by == coordinator


def test_a_coordinator_outside_the_unit_may_not_log_for_the_volunteer(
    volunteer, outside_coordinator, patrol_item, yesterday
):
    with pytest.raises(ValidationError, match="负责单位"):
        log(volunteer, patrol_item, served_on=yesterday, actor=outside_coordinator)


def test_another_volunteer_may_not_log_for_someone(
    volunteer, other_trainee, patrol_item, yesterday
):
    with pytest.raises(ValidationError):
        log(volunteer, patrol_item, served_on=yesterday, actor=other_trainee)


def test_a_photo_is_stored_privately_under_a_random_name(
    volunteer, patrol_item, yesterday, settings
):
    record = log(
        volunteer, patrol_item, served_on=yesterday, photo=photo_upload("PNG", "我.png")
    )
    assert record.photo.name.endswith(".png")
    assert "我" not in record.photo.name
    assert record.photo.storage is storages["private"]
    assert not record.photo.path.startswith(str(settings.MEDIA_ROOT))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_photos_are_accepted(volunteer, patrol_item, yesterday, kind):
    record = log(volunteer, patrol_item, served_on=yesterday, photo=photo_upload(kind))
    assert record.photo


def test_a_photo_that_is_not_an_image_is_refused_whatever_its_name(
    volunteer, patrol_item, yesterday
):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    with pytest.raises(ValidationError, match="JPG、PNG 或 WebP"):
        log(volunteer, patrol_item, served_on=yesterday, photo=fake)
    assert not ServiceRecord.objects.exists()


def test_a_gif_is_refused(volunteer, patrol_item, yesterday):
    with pytest.raises(ValidationError, match="JPG、PNG 或 WebP"):
        log(volunteer, patrol_item, served_on=yesterday, photo=photo_upload("GIF"))


def test_a_photo_over_5_mb_is_refused(volunteer, patrol_item, yesterday):
    big = SimpleUploadedFile(
        "big.jpg", image_bytes() + b"\0" * (5 * 1024 * 1024), "image/jpeg"
    )
    with pytest.raises(ValidationError, match="5 MB"):
        log(volunteer, patrol_item, served_on=yesterday, photo=big)


def test_approval_credits_points_and_hours_and_writes_an_event(
    volunteer, coordinator, elderly_item, yesterday
):
    record = log(volunteer, elderly_item, served_on=yesterday, hours=Decimal("2.5"))
    services.approve_service_record(record, actor=coordinator)
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    assert record.decided_by == coordinator
    assert record.points_awarded == 12  # 5 an hour for 2.5 hours, whole points
    balance = ledger.balance_of(volunteer)
    assert (balance.balance, balance.earned, balance.hours) == (12, 12, Decimal("2.5"))
    entry = PointEntry.objects.get(service_record=record)
    assert (entry.kind, entry.amount, entry.actor) == ("service", 12, coordinator)
    assert record.events.filter(kind="approved", actor=coordinator).exists()


def test_nobody_approves_their_own_record_not_even_an_administrator(
    school_admin, patrol_item, yesterday
):
    record = log(school_admin, patrol_item, served_on=yesterday)
    with pytest.raises(ValidationError, match="不能审核自己"):
        services.approve_service_record(record, actor=school_admin)
    with pytest.raises(ValidationError, match="不能审核自己"):
        services.reject_service_record(record, actor=school_admin, reason="重复")
    record.refresh_from_db()
    assert record.status == Status.PENDING


def test_the_database_refuses_a_record_decided_by_its_volunteer(
    volunteer, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.filter(pk=record.pk).update(decided_by=volunteer)


def test_a_coordinator_outside_the_unit_may_not_decide(
    volunteer, outside_coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    with pytest.raises(ValidationError, match="不负责"):
        services.approve_service_record(record, actor=outside_coordinator)
    with pytest.raises(ValidationError, match="不负责"):
        services.reject_service_record(record, actor=outside_coordinator, reason="无")
    record.refresh_from_db()
    assert record.status == Status.PENDING


def test_a_coordinator_covering_a_parent_unit_decides(
    volunteer, coordinator, patrol_item, yesterday
):
    assert volunteer.org_unit.path.startswith(
        coordinator.coordinator_scopes.get().org_unit.path
    )
    record = log(volunteer, patrol_item, served_on=yesterday)
    services.approve_service_record(record, actor=coordinator)
    assert ledger.balance_of(volunteer).balance == 10


def test_an_administrator_decides_anyones_record(
    volunteer, school_admin, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    services.approve_service_record(record, actor=school_admin)
    assert ledger.balance_of(volunteer).balance == 10


def test_a_plain_trainee_may_not_decide(
    volunteer, other_trainee, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    with pytest.raises(ValidationError):
        services.approve_service_record(record, actor=other_trainee)


def test_a_decided_record_is_not_decided_again(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    services.approve_service_record(record, actor=coordinator)
    with pytest.raises(ValidationError, match="已审核过"):
        services.approve_service_record(record, actor=coordinator)
    with pytest.raises(ValidationError, match="已审核过"):
        services.reject_service_record(record, actor=coordinator, reason="重复")
    assert ledger.balance_of(volunteer).balance == 10
    assert PointEntry.objects.count() == 1


def test_rejection_needs_a_reason_and_keeps_it(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    with pytest.raises(ValidationError, match="原因"):
        services.reject_service_record(record, actor=coordinator, reason="  ")
    services.reject_service_record(record, actor=coordinator, reason="照片与内容不符")
    record.refresh_from_db()
    assert (record.status, record.reject_reason) == (Status.REJECTED, "照片与内容不符")
    assert record.events.get(kind="rejected").note == "照片与内容不符"
    assert ledger.balance_of(volunteer).balance == 0


def test_the_daily_cap_holds_and_the_excess_is_recorded_as_capped(
    volunteer, coordinator, patrol_item, yesterday
):
    records = [log(volunteer, patrol_item, served_on=yesterday) for _ in range(3)]
    for record in records:
        services.approve_service_record(record, actor=coordinator)
    awarded = [
        (r.points_awarded, r.points_capped)
        for r in ServiceRecord.objects.order_by("pk")
    ]
    assert awarded == [(10, 0), (10, 0), (0, 10)]
    assert ledger.balance_of(volunteer).balance == 20
    # the capped record still counts its hours
    assert ledger.balance_of(volunteer).hours == Decimal("6")


def test_the_monthly_cap_holds_across_days(volunteer, coordinator, patrol_item):
    today = timezone.localdate()
    first = today.replace(day=1)
    days = [
        first + timedelta(days=n)
        for n in range(6)
        if first + timedelta(days=n) <= today
    ]
    if len(days) < 6:  # early in the month: use last month's first days
        first = (first - timedelta(days=1)).replace(day=1)
        days = [first + timedelta(days=n) for n in range(6)]
    for day in days:
        services.approve_service_record(
            log(volunteer, patrol_item, served_on=day), actor=coordinator
        )
    assert ledger.balance_of(volunteer).balance == 50
    assert ServiceRecord.objects.get(served_on=days[-1]).points_capped == 10


def test_bulk_approval_reports_the_refused_ones(
    volunteer, coordinator, patrol_item, yesterday
):
    mine = log(coordinator, patrol_item, served_on=yesterday)
    theirs = [log(volunteer, patrol_item, served_on=yesterday) for _ in range(2)]
    outcome = services.bulk_approve([mine, *theirs, 999999], actor=coordinator)
    assert outcome.done == 2
    assert [pk for pk, _why in outcome.refused] == [mine.pk, 999999]
    assert "不能审核自己" in outcome.refused[0][1]


def test_bulk_rejection_needs_one_reason(
    volunteer, coordinator, patrol_item, yesterday
):
    record = log(volunteer, patrol_item, served_on=yesterday)
    with pytest.raises(ValidationError):
        services.bulk_reject([record], actor=coordinator, reason="")
    outcome = services.bulk_reject([record], actor=coordinator, reason="信息不全")
    assert (outcome.done, outcome.refused) == (1, [])


def _delivered_session(training_class, instructor, *, status="present", trainee):
    starts_at = timezone.now() - timedelta(days=1)
    session = ClassSessionFactory(training_class=training_class, starts_at=starts_at)
    session.instructors.add(instructor)
    booking = Booking.objects.create(
        session=session,
        trainee=trainee,
        status=Booking.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    AttendanceRecord.objects.create(
        session_id=session.pk,
        booking=booking,
        trainee=trainee,
        status=status,
        credit=Decimal("1"),
        method=AttendanceRecord.Method.ROSTER,
    )
    return session


def test_teaching_hours_become_approved_records_once_per_session(
    training_class, instructor, trainee
):
    session = _delivered_session(training_class, instructor, trainee=trainee)
    assert services.credit_teaching_hours() == 1
    assert services.credit_teaching_hours() == 0
    record = ServiceRecord.objects.get()
    assert record.item.name == "授课服务"
    assert (record.status, record.hours, record.source_session_id) == (
        Status.APPROVED,
        Decimal("2.0"),
        session.pk,
    )
    assert record.decided_by is None and record.logged_by is None
    assert ledger.balance_of(instructor).hours == Decimal("2.0")
    assert ledger.balance_of(instructor).balance == 20
    assert ServiceRecordEvent.objects.filter(record=record, kind="approved").exists()


def test_teaching_hours_skip_sessions_nobody_attended_or_not_ended_or_cancelled(
    training_class, instructor, trainee
):
    _delivered_session(training_class, instructor, trainee=trainee, status="absent")
    upcoming = ClassSessionFactory(training_class=training_class)
    upcoming.instructors.add(instructor)
    cancelled = _delivered_session(training_class, instructor, trainee=trainee)
    cancelled.cancelled_at = timezone.now()
    cancelled.save()
    assert services.credit_teaching_hours() == 0


def test_teaching_uses_an_existing_item_of_that_name(
    training_class, instructor, trainee
):
    item = PointItem.objects.create(
        name="授课服务", points=3, unit=PointItem.Unit.HOUR, daily_cap=4
    )
    _delivered_session(training_class, instructor, trainee=trainee)
    services.credit_teaching_hours()
    record = ServiceRecord.objects.get()
    assert (record.item, record.points_awarded, record.points_capped) == (item, 4, 2)
