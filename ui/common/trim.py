"""Giving memory that sessions freed back to the system.

glibc's allocator keeps memory a process frees in its heaps for later use: after the sessions
of a class close and Streamlit drops them, the server's RSS stays where it peaked (measured by
``benchmarks/memory_use.py``). ``malloc_trim(0)`` hands the free pages back. A daemon thread,
started once per server process by the first page run that asks for it, does it every
TRIM_EVERY seconds, so memory freed when nobody is visiting goes back too. It runs a full
garbage collection first: the server turns off Streamlit's collection after every rerun
(``runner.postScriptGC``, half the CPU of a click), so a dropped session's reference cycles
can wait long for one, holding its arrays; once a minute, a collection is a pause of tens of
milliseconds. Measured with 10 sessions of 35 MB each: 180 MB back within 10 s of the sessions
being dropped, against 25 MB without the thread. Where the C library is not glibc (no
``malloc_trim``), nothing happens.

``RNN_LAB_TRIM_EVERY`` sets the interval in seconds (0: never, for comparisons).
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from typing import Callable

TRIM_EVERY = float(os.environ.get("RNN_LAB_TRIM_EVERY", "60"))
_started = threading.Lock()  # held for good once the thread is started


def glibc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


MALLOC_TRIM = glibc_trim()


def trim() -> bool:
    """Return the free memory of the heaps to the system now; True if glibc released any."""
    return bool(MALLOC_TRIM(0)) if MALLOC_TRIM is not None else False


def _every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        gc.collect()  # frees what only cycles still held, so the trim can return it
        trim()


def start() -> None:
    """Start the trimming thread of this process, once (later calls return at once)."""
    if TRIM_EVERY > 0 and MALLOC_TRIM is not None and _started.acquire(blocking=False):
        threading.Thread(target=_every, args=(TRIM_EVERY,), daemon=True, name="malloc-trim").start()
