"""Fault tests: processes killed with SIGKILL in the middle of their work leave no
half-done record, and the work they held is done after a restart, once.

- A qcluster killed mid bulk issue: a new cluster finishes the batch, every
  certificate exactly once with its own number and its PDF. django-q2 redelivers
  a task whose worker died only on a broker that acknowledges (the ORM broker on
  PostgreSQL here, after `retry` seconds); Redis pops a task for good, so there
  the chunk in flight at SIGKILL is picked up by the stalled-batch sweep.
- A web process killed during a booking flood: every booking whole (its event
  written with it), the counters equal to the rows, check_all() empty.

(A restored backup keeping every invariant: tests/operations/test_backup.py.)
Multi-process, so the PostgreSQL pass only."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import pytest
import requests
from django_q.conf import Conf
from django_q.models import OrmQ

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateBatch
from courses.models import Booking, BookingEvent
from operations.invariants import check_all
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory
from tests.factories import UserFactory
from tests.operations.processes import (
    child_environment,
    crowd,
    enqueue_to,
    launch_web,
    logged_in,
    postgres_only,
    queue_length,
    ready,
    redis_url_fixture,  # noqa: F401 (the redis_url fixture)
    start_cluster,
    stopped_in_the_end,
    wait_for,
    write_settings,
)

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

CERTIFICATES = 10
CHUNK = 2
# The longest task (a chunk of 2 certificates) takes a few seconds: timeout above
# it, retry above the timeout, both short so the test waits little.
TIMEOUT, RETRY = 8, 10


def enqueue_to_orm(monkeypatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    chunks = certificate_services._chunks
    monkeypatch.setattr(
        certificate_services, "_chunks", lambda ids, size=CHUNK: chunks(ids, size)
    )


def test_a_cluster_killed_mid_bulk_issue_loses_and_duplicates_nothing(
    tmp_path, monkeypatch, course, grid, school_admin, certificate_template
):
    graduates = TrainingClassFactory(course=course, capacity=CERTIFICATES)
    enrollments = [
        completed_enrollment(graduates, UserFactory(org_unit=grid))
        for _ in range(CERTIFICATES)
    ]
    name = write_settings(
        tmp_path, redis_url=None, workers=1, timeout=TIMEOUT, retry=RETRY
    )
    environment = child_environment(tmp_path, name, None)
    issued = Certificate.objects.filter(enrollment__in=enrollments)
    with stopped_in_the_end([]) as started:
        started.append(start_cluster(tmp_path, environment))
        enqueue_to_orm(monkeypatch)
        batch = certificate_services.start_bulk_issue(
            graduates,
            template=certificate_template,
            enrollment_ids=[e.pk for e in enrollments],
            actor=school_admin,
        )
        wait_for(
            lambda: issued.exists(),
            timeout=60,
            what="a first certificate",
            logs=started,
        )
        started[0].kill()
        at_kill = issued.count()
        assert at_kill < CERTIFICATES, "the batch finished before the kill"
        assert OrmQ.objects.exists()  # the killed cluster's work is still queued

        started.append(start_cluster(tmp_path, environment))
        wait_for(
            lambda: (
                CertificateBatch.objects.get(pk=batch.pk).status
                == CertificateBatch.Status.FINISHED
            ),
            timeout=RETRY + 60,
            what="the batch after the restart",
            logs=started,
        )
        wait_for(lambda: not OrmQ.objects.exists(), timeout=30, what="the queue")

    assert issued.count() == CERTIFICATES
    assert issued.values("enrollment").distinct().count() == CERTIFICATES
    assert issued.values("number").distinct().count() == CERTIFICATES
    assert issued.exclude(pdf="").count() == CERTIFICATES
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (CERTIFICATES, 0)
    assert check_all() == []


def test_a_cluster_killed_mid_bulk_issue_on_redis_is_finished_by_the_sweep(
    tmp_path, monkeypatch, redis_url, course, grid, school_admin, certificate_template
):
    """Redis hands the chunk a killed worker held to nobody: the batch stalls,
    and the sweep (certificates.services.resume_stalled_batches, every five
    minutes in production; called here as if that time had passed) queues its
    missing certificates again, which a new cluster makes, each once."""
    graduates = TrainingClassFactory(course=course, capacity=CERTIFICATES)
    enrollments = [
        completed_enrollment(graduates, UserFactory(org_unit=grid))
        for _ in range(CERTIFICATES)
    ]
    name = write_settings(tmp_path, redis_url=redis_url, workers=1)
    environment = child_environment(tmp_path, name, redis_url)
    issued = Certificate.objects.filter(enrollment__in=enrollments)
    finished = lambda: (  # noqa: E731
        CertificateBatch.objects.get(pk=batch.pk).status
        == CertificateBatch.Status.FINISHED
    )
    with stopped_in_the_end([]) as started:
        started.append(start_cluster(tmp_path, environment))
        enqueue_to(monkeypatch, redis_url, chunk=CHUNK)
        batch = certificate_services.start_bulk_issue(
            graduates,
            template=certificate_template,
            enrollment_ids=[e.pk for e in enrollments],
            actor=school_admin,
        )
        wait_for(
            lambda: issued.exists(),
            timeout=60,
            what="a first certificate",
            logs=started,
        )
        started[0].kill()
        assert issued.count() < CERTIFICATES, "the batch finished before the kill"

        started.append(start_cluster(tmp_path, environment))
        wait_for(lambda: queue_length(redis_url) == 0, timeout=60, what="the queue")
        # What was queued is done; the chunk in flight at the kill is not.
        later = timezone.now() + timedelta(seconds=settings.Q_TIMEOUT + 61)
        assert not finished()
        assert certificate_services.resume_stalled_batches(now=later) == 1
        wait_for(finished, timeout=60, what="the resumed batch", logs=started)

    assert issued.count() == CERTIFICATES
    assert issued.values("enrollment").distinct().count() == CERTIFICATES
    assert issued.values("number").distinct().count() == CERTIFICATES
    assert issued.exclude(pdf="").count() == CERTIFICATES
    assert check_all() == []


def test_a_web_process_killed_during_a_booking_flood_leaves_every_record_whole(
    tmp_path, monkeypatch, course, grid
):
    people, seats = 60, 10
    training_class, keys = crowd(course, grid, people)
    session = ClassSessionFactory(training_class=training_class, seats=seats)
    name = write_settings(tmp_path, redis_url=None)
    environment = child_environment(tmp_path, name, None)
    bookings = Booking.objects.filter(session=session)
    with stopped_in_the_end([]) as started:
        started += [launch_web(tmp_path, environment, threads=4) for _ in range(2)]
        ready(*started)
        doomed, survivor = started
        page = f"/learning/classes/{training_class.pk}/sessions/"
        with ThreadPoolExecutor(max_workers=people) as pool:
            clients = list(
                pool.map(
                    lambda pair: logged_in(
                        started[pair[0] % 2].url, pair[1], page=page
                    ),
                    enumerate(keys),
                )
            )
            go = threading.Barrier(people + 1)

            def book(index: int) -> int:
                client, token = clients[index]
                go.wait()
                try:
                    return client.post(
                        f"{started[index % 2].url}/learning/sessions/{session.pk}/book/",
                        data={"csrfmiddlewaretoken": token},
                        allow_redirects=False,
                        timeout=120,
                    ).status_code
                except requests.ConnectionError:
                    return 0  # the process died under this request

            results = pool.map(book, range(people))
            go.wait()
            wait_for(lambda: bookings.exists(), timeout=60, what="a first booking")
            doomed.kill()
            codes = list(results)
        assert survivor.alive()

    served = [code for code in codes if code]
    assert served and set(served) == {302}, codes
    assert codes.count(0) > 0, "the kill came after every request was served"
    assert bookings.count() <= people
    assert bookings.confirmed().count() == min(seats, bookings.count())
    # Each booking was written with its event, in one transaction.
    assert not bookings.exclude(
        pk__in=BookingEvent.objects.values("booking_id")
    ).exists()
    assert check_all() == []
