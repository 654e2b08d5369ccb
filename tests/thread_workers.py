"""``run_workers``: run test workers in threads and hand back every exception they raised.

An exception that escapes a plain ``threading.Thread`` target only reaches ``threading.excepthook`` (pytest turns it
into a warning), so a worker that dies of an unexpected error leaves the test green. Workers run through this helper
instead, and the test asserts that the returned list is empty.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any


def run_workers(target: Callable[..., object], args: Sequence[tuple[Any, ...]], timeout: float = 120.0) -> list[str]:
    """Run ``target(*a)`` for each ``a`` in ``args``, one thread each, released together; return the failures.

    :param target: the worker.
    :param args: one argument tuple per thread.
    :param timeout: seconds to wait for every thread (a thread still running then is a failure too).
    :returns: one formatted traceback per worker that raised, plus one line per worker that did not finish.
    """
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(args))

    def run(index: int, worker_args: tuple[Any, ...]) -> None:
        try:
            barrier.wait()
            target(*worker_args)
        except BaseException:  # every exception, including the unexpected ones, is the test's to judge
            with lock:
                failures.append(f"worker {index}: {traceback.format_exc()}")

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(args)]
    for thread in threads:
        thread.start()
    for index, thread in enumerate(threads):
        thread.join(timeout)
        if thread.is_alive():
            failures.append(f"worker {index}: still running after {timeout} s")
    return failures
