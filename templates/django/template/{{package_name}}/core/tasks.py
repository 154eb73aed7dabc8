"""Background work after the response (P14): a worker thread pool in each process.

`submit` hands a function to the pool and returns at once; the work runs outside the request and
outside any database transaction. `BackgroundResponse` submits its tasks once it has been sent
(Django closes a response after sending it): the client never waits for the work.

The queue is bounded: past `MAX_PENDING` waiting tasks a new one is dropped (and logged) rather
than holding memory without bound. A failing task is logged. The pool is shut down at interpreter
exit, after the queued work has run.
"""

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.db import connections
from rest_framework.response import Response

logger = logging.getLogger(__name__)

MAX_WORKERS = 4
#: Tasks waiting or running at most; beyond it new tasks are dropped.
MAX_PENDING = 1000

_executor = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="background")
_slots = threading.BoundedSemaphore(MAX_PENDING)
_pending: set[Future[None]] = set()
_lock = threading.Lock()


def submit(task: Callable[[], None], name: str | None = None) -> bool:
    """Run `task` in the pool; False (and a warning) when the queue is full or shut down."""
    label = name or str(getattr(task, "__qualname__", task))
    if not _slots.acquire(blocking=False):
        logger.warning("background queue full; dropped %s", label)
        return False
    try:
        future = _executor.submit(_run, task, label)
    except RuntimeError:
        _slots.release()
        logger.warning("background pool shut down; dropped %s", label)
        return False
    with _lock:
        _pending.add(future)
    future.add_done_callback(_done)
    return True


def drain(timeout: float = 10) -> None:
    """Wait until the tasks submitted so far have finished (tests; shutdown)."""
    with _lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)


def shutdown() -> None:
    """Run the queued work, then stop the worker threads."""
    _executor.shutdown(wait=True)


class BackgroundResponse(Response):
    """A DRF response that runs `background` tasks in the pool after it has been sent."""

    def __init__(
        self, *args: Any, background: Iterable[Callable[[], None]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.background = list(background)

    def close(self) -> None:
        super().close()
        background, self.background = self.background, []
        for task in background:
            submit(task)


def _run(task: Callable[[], None], label: str) -> None:
    try:
        task()
    except Exception:
        logger.exception("background task %s failed", label)
    finally:
        # Each worker thread has its own database connections: never leave one open between tasks.
        connections.close_all()


def _done(future: Future[None]) -> None:
    with _lock:
        _pending.discard(future)
    _slots.release()


atexit.register(shutdown)
