"""The production shape in small: 2 gunicorn web processes and 2 `manage.py
qcluster` workers on PostgreSQL + Redis behave exactly like one process.

A flash crowd of 100 logged-in trainees books a 10-seat session through both web
processes at once (CSRF and all), while a bulk issue of 20 certificates runs in
chunks across both workers. When the queue has drained: exactly 10 confirmed and
90 waitlisted with distinct numbers, every certificate once with its own number,
every chunk done once, and operations.invariants finds nothing.

Only in the PostgreSQL pass (SQLite is one machine's embedded database)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django_q.models import Task

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateBatch
from courses.models import Booking
from operations.invariants import check_all
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory
from tests.factories import UserFactory
from tests.operations.processes import (
    child_environment,
    crowd,
    enqueue_to,
    launch_cluster,
    launch_web,
    logged_in,
    postgres_only,
    queue_length,
    ready,
    redis_url_fixture,  # noqa: F401 (the redis_url fixture)
    stopped_in_the_end,
    wait_for,
    write_settings,
)

CROWD = 100
SEATS = 10
CERTIFICATES = 20
CHUNK = 4  # certificates per queued task: 5 tasks, so both workers get some
CHUNK_TASK = "certificates.tasks.issue_batch_chunk_task"


def flash_crowd(webs, training_class, session, keys) -> list[int]:
    """Every trainee, on one of the web processes in turn, opens the sessions
    page, then all book at the same moment. Returns the status codes."""
    page = f"/learning/classes/{training_class.pk}/sessions/"
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        clients = list(
            pool.map(
                lambda pair: logged_in(
                    webs[pair[0] % len(webs)].url, pair[1], page=page
                ),
                enumerate(keys),
            )
        )
        start = threading.Barrier(len(keys))

        def book(index: int) -> int:
            client, token = clients[index]
            start.wait()
            response = client.post(
                f"{webs[index % len(webs)].url}/learning/sessions/{session.pk}/book/",
                data={"csrfmiddlewaretoken": token},
                allow_redirects=False,
                timeout=120,
            )
            return response.status_code

        return list(pool.map(book, range(len(keys))))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_and_two_workers_behave_like_one(
    tmp_path, monkeypatch, redis_url, course, grid, school_admin, certificate_template
):
    began = time.monotonic()
    training_class, keys = crowd(course, grid, CROWD)
    session = ClassSessionFactory(training_class=training_class, seats=SEATS)
    graduates = TrainingClassFactory(course=course, capacity=CERTIFICATES)
    enrollments = [
        completed_enrollment(graduates, UserFactory(org_unit=grid))
        for _ in range(CERTIFICATES)
    ]

    name = write_settings(tmp_path, redis_url=redis_url, workers=1)
    environment = child_environment(tmp_path, name, redis_url)
    with stopped_in_the_end([]) as started:
        started += [launch_web(tmp_path, environment) for _ in range(2)]
        started += [launch_cluster(tmp_path, environment) for _ in range(2)]
        ready(*started)
        webs, clusters = started[:2], started[2:]

        enqueue_to(monkeypatch, redis_url, chunk=CHUNK)
        batch = certificate_services.start_bulk_issue(
            graduates,
            template=certificate_template,
            enrollment_ids=[e.pk for e in enrollments],
            actor=school_admin,
        )
        up = time.monotonic()
        codes = flash_crowd(webs, training_class, session, keys)
        booked = time.monotonic()

        wait_for(
            lambda: (
                CertificateBatch.objects.get(pk=batch.pk).status
                == CertificateBatch.Status.FINISHED
            ),
            timeout=90,
            what="the bulk issue",
            logs=clusters,
        )
        wait_for(lambda: queue_length(redis_url) == 0, timeout=30, what="the queue")
        time.sleep(1)  # the last booking notices taken from the queue finish
        drained = time.monotonic()
        assert all(child.alive() for child in started)

    assert codes == [302] * CROWD, codes
    bookings = Booking.objects.filter(session=session)
    assert bookings.confirmed().count() == SEATS
    assert bookings.waitlisted().count() == CROWD - SEATS
    assert bookings.values("trainee").distinct().count() == CROWD
    numbers = sorted(bookings.waitlisted().values_list("queue_number", flat=True))
    assert numbers == list(range(1, CROWD - SEATS + 1))

    issued = Certificate.objects.filter(enrollment__in=enrollments)
    assert issued.count() == CERTIFICATES
    assert issued.values("number").distinct().count() == CERTIFICATES
    assert issued.exclude(pdf="").count() == CERTIFICATES
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (CERTIFICATES, 0)
    chunks = Task.objects.filter(func=CHUNK_TASK)
    assert chunks.filter(success=True).count() == CERTIFICATES // CHUNK
    assert check_all() == []
    print(
        f"\nmultiprocess: set-up {up - began:.1f} s, flash crowd {booked - up:.1f} s,"
        f" drained {drained - booked:.1f} s later"
    )
