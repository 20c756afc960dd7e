"""The newest finished result of a computation that runs in a background thread.

A full hall's dashboard takes a fifth of a second or more of a busy machine to
compute, and a screen that polls every two seconds does not need it that instant:
it needs an answer soon and the newest numbers there are. So each process computes
in one background thread, one computation per key at a time (two screens asking
for the same thing share it), and a caller may wait for a result only so long;
then it takes the newest one already finished, or hears that there is none newer
than what it shows, and asks again on its next poll, when the result is ready.

Results carry the revision read when their computation began (the caller's
compute() reads it before the data), so newer is simply a higher revision. No
Django here: the caller's compute() does the database work and cleanup.
"""

import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass


@dataclass(frozen=True)
class Done:
    revision: int
    value: object
    started: float  # time.monotonic() when the computation read its revision

    def age(self) -> float:
        return time.monotonic() - self.started


class Latest:
    """Results by key: the newest finished one of each, and the one running."""

    def __init__(self, limit: int):
        self._limit = limit  # keys kept; more and the old ones are dropped at once
        self._lock = threading.Lock()
        self._done: dict[Hashable, Done] = {}
        self._running: dict[Hashable, Future] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0

    def get(
        self,
        key: Hashable,
        compute: Callable[[], tuple[int, object]],
        *,
        current: int,
        shown: int = -1,
        wait: float | None = None,
        fresh_enough: float = 0.0,
    ) -> Done | None:
        """A result at revision `current` or later, if one is ready within `wait`
        seconds (None: however long it takes). Otherwise the newest finished one if
        it is newer than `shown`, the revision the caller already shows, else None.
        A finished one newer than `shown` and at most `fresh_enough` seconds old
        is taken at once, without a new computation.

        compute() returns (revision, value), the revision read before the data.
        Its errors reach the callers who waited for it.
        """
        deadline = None if wait is None else time.monotonic() + wait
        # Twice at most: a computation that was already running when the caller
        # came may have read an older revision; the one started next cannot have.
        for _ in range(2):
            with self._lock:
                done = self._done.get(key)
                if done is not None and (
                    done.revision >= current
                    or (done.revision > shown and done.age() <= fresh_enough)
                ):
                    return done
                future = self._running.get(key) or self._start(key, compute)
            try:
                future.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                break
        with self._lock:
            done = self._done.get(key)
        if done is not None and (done.revision >= current or done.revision > shown):
            return done
        return None

    def busy(self) -> bool:
        """Whether a computation is running or waiting to."""
        with self._lock:
            return bool(self._running)

    def forget(self) -> None:
        with self._lock:
            self._done.clear()

    def stop(self, last: Callable[[], object] | None = None) -> None:
        """Run `last` in the background thread (its cleanup), then end the thread
        once what is queued is done. The next computation starts another."""
        with self._lock:
            executor, self._executor, self._pid = self._executor, None, 0
        if executor is not None:
            if last is not None:
                executor.submit(last)
            executor.shutdown(wait=True)

    def _start(self, key, compute) -> Future:
        # A forked worker inherits the dicts but not the thread: start afresh.
        if self._pid != os.getpid():
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="gransforum-latest")
            self._pid = os.getpid()
            self._running.clear()
        future = self._executor.submit(self._run, key, compute)
        self._running[key] = future
        return future

    def _run(self, key, compute) -> None:
        started = time.monotonic()
        try:
            revision, value = compute()
            with self._lock:
                old = self._done.get(key)
                # Keep the newest: a computation finishing late must not undo one after it.
                if old is None or revision >= old.revision:
                    if key not in self._done and len(self._done) >= self._limit:
                        self._done.clear()
                    self._done[key] = Done(revision, value, started)
        finally:
            with self._lock:
                self._running.pop(key, None)
