"""Fire the same call from many threads (or processes) at the same instant.

For races the invariants forbid: two trainees pressing "book" for the last seat, the
same phone signing up twice. The callers start together at a barrier, each on its
own database connection, so the database, not Python, decides who wins.

Use them from ``@pytest.mark.django_db(transaction=True)`` tests: the rows a test
prepares must be committed for other connections to see them.

    outcomes = run_concurrently(services.book_session, 8, session, trainee=t, actor=t)
    assert sum(isinstance(o, Booking) for o in outcomes) == 1

Every outcome is either what the call returned or the exception it raised, in the
order the calls were made.
"""

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, connections

BARRIER_TIMEOUT_S = 30
JOIN_TIMEOUT_S = 120


def run_concurrently(fn: Callable[..., Any], n: int, *args, **kwargs) -> list[Any]:
    """Call ``fn(*args, **kwargs)`` from ``n`` threads released together."""
    return run_all_concurrently([lambda: fn(*args, **kwargs)] * n)


def run_all_concurrently(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run each call on its own thread, all released together by a barrier.

    For races between different callers, e.g. one call per trainee.
    """
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT_S)
    outcomes: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as error:
            outcomes[index] = error
        finally:
            # Each thread opened its own connection; an open one would keep
            # PostgreSQL from dropping the test database at the end of the run.
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(index, call), name=f"race-{index}")
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_S)
        if thread.is_alive():
            raise TimeoutError(f"{thread.name} still running after {JOIN_TIMEOUT_S}s")
    return outcomes


def run_jobs(
    jobs: Sequence[Any],
    run: Callable[[Any], Any],
    *,
    processes: bool = False,
    pg_threads: int = 40,
) -> list[Any]:
    """Run ``run(job)`` for every job at once: each in its own forked process, or on
    threads (one per job on SQLite; on PostgreSQL, which takes at most
    ``max_connections`` clients, ``pg_threads`` threads each run their share one
    after another). The outcomes, one per job, in no particular order.
    """
    if processes:
        queue = multiprocessing.get_context("fork").SimpleQueue()
        for job in jobs:
            queue.put(job)
        outcomes = run_in_processes(_run_next, len(jobs), queue, run)
    else:
        threads = len(jobs) if connection.vendor == "sqlite" else pg_threads
        lanes = [jobs[i::threads] for i in range(min(threads, len(jobs)))]
        done = run_all_concurrently(
            [lambda lane=lane: [run(job) for job in lane] for lane in lanes]
        )
        assert all(isinstance(lane, list) for lane in done), done
        outcomes = [outcome for lane in done for outcome in lane]
    assert len(outcomes) == len(jobs)
    return outcomes


def _run_next(queue, run: Callable[[Any], Any]) -> Any:
    return run(queue.get())


def run_in_processes(fn: Callable[..., Any], n: int, *args, **kwargs) -> list[Any]:
    """Call ``fn(*args, **kwargs)`` from ``n`` forked processes released together.

    Like several gunicorn workers: no shared Python state at all, not even the GIL.
    Outcomes come back pickled; a ValidationError that cannot be pickled arrives
    rebuilt from its messages, anything else unpicklable as a RuntimeError holding
    its repr.
    """
    context = multiprocessing.get_context("fork")
    # A forked child must not share the parent's database socket: close it here and
    # let every child open its own.
    connections.close_all()
    barrier = context.Barrier(n, timeout=BARRIER_TIMEOUT_S)
    receivers, processes = [], []
    for index in range(n):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_process_worker,
            args=(sender, barrier, fn, args, kwargs),
            name=f"race-{index}",
        )
        process.start()
        sender.close()
        receivers.append(receiver)
        processes.append(process)

    outcomes = []
    for receiver, process in zip(receivers, processes, strict=True):
        if not receiver.poll(JOIN_TIMEOUT_S):
            process.kill()
            raise TimeoutError(f"{process.name} sent nothing in {JOIN_TIMEOUT_S}s")
        outcomes.append(receiver.recv())
        process.join(JOIN_TIMEOUT_S)
    return outcomes


def _process_worker(sender, barrier, fn, args, kwargs) -> None:
    try:
        barrier.wait()
        outcome = fn(*args, **kwargs)
    except BaseException as error:
        outcome = error
    finally:
        connections.close_all()
    try:
        sender.send(outcome)
    except Exception:
        sender.send(_picklable(outcome))
    finally:
        sender.close()


def _picklable(outcome: Any) -> Exception:
    # Model validation errors carry lazy callables in their params; keep the
    # messages, which are what tests assert on.
    if isinstance(outcome, ValidationError):
        if hasattr(outcome, "error_dict"):
            return ValidationError(outcome.message_dict)
        return ValidationError(outcome.messages)
    return RuntimeError(repr(outcome))
