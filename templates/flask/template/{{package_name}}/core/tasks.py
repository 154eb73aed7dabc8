"""Background work (P14): a thread pool that runs a task once the response has been sent."""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from flask import Response, after_this_request

logger = logging.getLogger(__name__)

#: How long `shutdown` waits for running tasks.
DRAIN_SECONDS = 5


class BackgroundTasks:
    """A small pool of worker threads, shared by the request handlers and the event subscribers."""

    def __init__(self, max_workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="task")
        self._pending: set[Future[None]] = set()

    def submit(self, task: Callable[[], None]) -> None:
        """Run `task` in the pool now; its failure is logged, never raised."""
        future = self._pool.submit(self._run, task)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def after_response(self, task: Callable[[], None]) -> None:
        """Run `task` in the pool once the current response has been sent to the client."""

        @after_this_request
        def _schedule(response: Response) -> Response:
            response.call_on_close(lambda: self.submit(task))
            return response

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait (a bounded time) for the tasks submitted so far."""
        wait(set(self._pending), timeout=timeout)

    def shutdown(self) -> None:
        self.drain()
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(task: Callable[[], None]) -> None:
        try:
            task()
        except Exception:
            logger.exception("background task %r failed", task)
