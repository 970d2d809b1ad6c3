"""The model store: trained and uploaded models kept on the server, so that a link can name one.

A model is kept as its model file (``rnn_core.to_bytes``, read back with ``rnn_core.from_bytes``,
which never unpickles) at ``models/<id>.npz`` in the data folder (``ui.common.datadir``). The id is the
first 32 hex digits of the file's SHA-256 (128 bits: nobody finds a model by guessing ids); a page's
link carries it as ``?model=<id>``. ``to_bytes`` writes no time stamps, so the same model always gets
the same id and storing it again only marks it as used.

Bounded: the stored files together stay within ``RNN_LAB_STORE_MB`` megabytes (default 500; 0 keeps
nothing). Storing a model deletes the least recently used files until the total fits again (a file's
modification time is its last use: storing and opening touch it). A model larger than the whole
bound is refused (``ModelTooLarge``).

Several processes (the replicas of deploy/start.sh) and threads (sessions) share the folder. A file
is written under a temporary name and renamed into place, so a reader sees a whole file or none; the
rename and the eviction after it hold an exclusive lock on ``models/.lock``, so two writers never
evict from the same stale listing. Readers take no lock: a file another process deletes stays
readable through a handle already open, and one deleted before it was opened is simply unknown.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import rnn_core as rc
from ui.common.datadir import data_dir

try:
    import fcntl
except ImportError:  # Windows: a single `streamlit run` on a laptop, where no other process writes
    fcntl = None

ENV = "RNN_LAB_STORE_MB"
DEFAULT_MB = 500  # above the largest model file the loader accepts (about 217 MB)
MB = 1_000_000
ID_CHARS = 32
SUFFIX = ".npz"
TEMP_PREFIX = ".tmp-"
STALE_TEMP_S = 3600  # a temporary file this old belongs to a writer that died (kill -9, power loss)
_ID = re.compile(f"[0-9a-f]{{{ID_CHARS}}}")
log = logging.getLogger(__name__)


class ModelTooLarge(Exception):
    """The model file is larger than the store's whole bound."""

    def __init__(self, size: int, bound: int) -> None:
        super().__init__(f"the model file is {size / MB:.3g} MB and the model store holds at most "
                         f"{bound / MB:.3g} MB ({ENV})")


class UnknownModel(Exception):
    """No stored model has this id: never stored, evicted, not an id at all, or a damaged file."""


def model_id(data: bytes) -> str:
    """The id of a model file's bytes: its content hash."""
    return hashlib.sha256(data).hexdigest()[:ID_CHARS]


def is_model_id(text: object) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def configured_bound(environ=os.environ) -> int:
    """The store's bound in bytes from ``RNN_LAB_STORE_MB``; a value that is not a number >= 0 is
    logged and the default used (a typo in a deployment must not take every page down)."""
    raw = environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_MB * MB
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and mb >= 0):
        log.warning("%s=%r is not a number of megabytes >= 0; using %d", ENV, raw, DEFAULT_MB)
        return DEFAULT_MB * MB
    return int(mb * MB)


@dataclass(frozen=True)
class ModelStore:
    folder: Path  # holds <id>.npz, the lock file and writers' temporary files
    max_bytes: int  # the stored files' total size, at most

    def put(self, data: bytes) -> str:
        """Store a model file's bytes (or mark them as just used if already stored); returns the id.
        Raises ModelTooLarge, or OSError when the folder cannot be written."""
        if len(data) > self.max_bytes:
            raise ModelTooLarge(len(data), self.max_bytes)
        key = model_id(data)
        path = self.path(key)
        with self.locked():
            if touch(path):
                return key
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:  # written outside the lock: a large file takes a while
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # the rename must not land before the data
            with self.locked():
                os.replace(tmp, path)
                self.evict(keep=path)
        finally:
            with contextlib.suppress(FileNotFoundError):  # there only when writing or renaming failed
                os.remove(tmp)
        return key

    def get(self, key: str) -> bytes:
        """The stored bytes with this id (and the file marked as just used); UnknownModel if none."""
        if not is_model_id(key):
            raise UnknownModel("not a model id")
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise UnknownModel("no stored model has this id") from None
        if model_id(data) != key:
            raise UnknownModel("the stored file is damaged")
        touch(path)
        return data

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def files(self) -> list[tuple[int, str, int]]:
        """(last use in ns, name, size) of every stored file, least recently used first."""
        found = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(SUFFIX):
                with contextlib.suppress(FileNotFoundError):  # another process evicted it just now
                    info = entry.stat()
                    found.append((info.st_mtime_ns, entry.name, info.st_size))
        return sorted(found)

    def evict(self, keep: Path) -> None:
        """Delete the least recently used files (never ``keep``) until the total fits the bound,
        and temporary files left by dead writers. Call with the lock held."""
        files = self.files()
        total = sum(size for _, _, size in files)
        for _, name, size in files:
            if total <= self.max_bytes:
                break
            if name != keep.name:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.folder / name)
                total -= size
        stale = time.time() - STALE_TEMP_S
        for entry in os.scandir(self.folder):
            if entry.name.startswith(TEMP_PREFIX):
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < stale:
                        os.remove(entry.path)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock on the folder, between processes and between threads (each call opens
        its own file description, and flock locks conflict across descriptions)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "ab") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield


def touch(path: Path) -> bool:
    """Mark a stored file as just used; False if there is no such file."""
    now = time.time_ns()
    try:
        os.utime(path, ns=(now, now))
    except FileNotFoundError:
        return False
    return True


def default_store() -> ModelStore:
    """The store in the data folder, bounded as the environment says."""
    return ModelStore(data_dir() / "models", configured_bound())


def store_model(model: rc.Model, store: ModelStore | None = None) -> str:
    """Keep ``model`` in the store; returns its id (see ``ModelStore.put`` for the errors)."""
    return (store or default_store()).put(rc.to_bytes(model))


def open_model(key: str, store: ModelStore | None = None) -> rc.Model:
    """The stored model with this id: UnknownModel if there is none, rc.RnnCoreError if the file
    is refused by the loader (e.g. written by a version of the app with other limits)."""
    return rc.from_bytes((store or default_store()).get(key))
