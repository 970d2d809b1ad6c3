"""Returning freed memory to the system: glibc's malloc_trim, once per process in a thread."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ui.common import trim

ROOT = Path(__file__).resolve().parents[1]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(trim.MALLOC_TRIM is None, reason="the C library is not glibc")
def test_trim_returns_memory_freed_in_small_pieces():
    """200,000 objects of 1 kB (glibc's heap, not Python's own arenas) freed but the last: glibc
    keeps the ~200 MB below it; a trim gives them back. In a fresh process, so the figures are
    its own."""
    code = ("import sys; sys.path.insert(0, '.'); from ui.common import trim; from tests.test_trim import rss_kb\n"
            "keep = [bytes(1000) for _ in range(200_000)]; last = keep[-1]; del keep\n"
            "freed = rss_kb(); trim.trim(); print(freed, rss_kb())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    freed, trimmed = map(int, out.stdout.split())
    assert trimmed < freed - 100_000, (freed, trimmed)  # at least 100 MB went back to the system


def test_start_runs_one_thread_however_often_it_is_called(monkeypatch):
    monkeypatch.setattr(trim, "_started", threading.Lock())
    monkeypatch.setattr(trim, "TRIM_EVERY", 3600)
    before = threading.active_count()
    for _ in range(5):
        trim.start()
    names = [t.name for t in threading.enumerate()]
    assert names.count("malloc-trim") >= 1 and threading.active_count() - before == (trim.MALLOC_TRIM is not None)


def test_without_glibc_trim_does_nothing(monkeypatch):
    monkeypatch.setattr(trim, "MALLOC_TRIM", None)
    assert trim.trim() is False
