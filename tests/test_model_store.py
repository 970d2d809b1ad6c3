"""The model store: content-addressed files, atomic writes, a bound kept by least-recently-used
eviction, and several processes sharing one folder."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rnn_core as rc
from ui.common import model_store

ROOT = Path(__file__).resolve().parents[1]
KB = 1000


def blob(n: int, size: int = KB) -> bytes:
    """``size`` bytes that differ for every ``n``."""
    return n.to_bytes(4, "big") * (size // 4)


def stored(store: model_store.ModelStore) -> set[str]:
    return {p.stem for p in store.folder.glob("*.npz")}


@pytest.fixture
def store(tmp_path) -> model_store.ModelStore:
    return model_store.ModelStore(tmp_path / "models", 3 * KB)


def test_the_id_is_the_first_128_bits_of_the_files_sha256(store):
    data = blob(1)
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()[:32]
    assert store.path(key).read_bytes() == data
    assert store.get(key) == data


def test_a_model_round_trips_with_its_history_and_keeps_its_id(store):
    model, _, _ = rc.training.record_training(rc.seed_model(), rc.seed_corpus(), rc.seed_config())
    big = model_store.ModelStore(store.folder, 10 * 1000 * KB)
    key = model_store.store_model(model, big)
    again = model_store.open_model(key, big)
    assert np.array_equal(again.params.W_h, model.params.W_h)
    assert np.array_equal(again.history.losses, model.history.losses)
    assert len(again.history.snapshots) == len(model.history.snapshots)
    assert model_store.store_model(again, big) == key  # the same model, the same file: stored once
    assert stored(big) == {key}


@pytest.mark.parametrize("key", ["", "0" * 31, "0" * 33, "A" * 32, "../" * 11 + "ab", "g" * 32, None, 12])
def test_anything_but_an_id_is_unknown(store, key):
    store.put(blob(1))
    with pytest.raises(model_store.UnknownModel, match="not a model id"):
        store.get(key)


def test_an_id_never_stored_is_unknown(store):
    store.put(blob(1))
    with pytest.raises(model_store.UnknownModel, match="no stored model"):
        store.get(model_store.model_id(blob(2)))


def test_a_damaged_file_is_unknown_rather_than_another_model(store):
    key = store.put(blob(1))
    store.path(key).write_bytes(blob(2))
    with pytest.raises(model_store.UnknownModel, match="damaged"):
        store.get(key)


def test_an_unknown_id_in_an_empty_store_needs_no_folder(tmp_path):
    with pytest.raises(model_store.UnknownModel):
        model_store.ModelStore(tmp_path / "nowhere", KB).get("0" * 32)


def test_the_least_recently_used_file_is_evicted_first(store):
    a, b, c = (store.put(blob(n)) for n in (1, 2, 3))
    store.get(a)  # a is now used more recently than b and c
    d = store.put(blob(4))
    assert stored(store) == {a, c, d}
    store.put(blob(3))  # storing c again marks it as used too
    e = store.put(blob(5))
    assert stored(store) == {c, d, e}


def test_the_total_never_exceeds_the_bound(tmp_path):
    store = model_store.ModelStore(tmp_path, 10 * KB)
    sizes = [3 * KB, 4 * KB, 2 * KB, 5 * KB, 1 * KB, 6 * KB, 10 * KB, 2 * KB]
    for n, size in enumerate(sizes):
        key = store.put(blob(n, size))
        total = sum(p.stat().st_size for p in tmp_path.glob("*.npz"))
        assert total <= 10 * KB and key in stored(store)
    assert stored(store) == {model_store.model_id(blob(7, 2 * KB))}  # the 10 KB file went when the last came


def test_a_model_larger_than_the_bound_is_not_stored_and_nothing_is_evicted(store):
    kept = store.put(blob(1))
    with pytest.raises(model_store.ModelTooLarge, match=r"is 0\.0034 MB and the model store holds at most 0\.003 MB"):
        store.put(blob(2, 3400))
    assert stored(store) == {kept}
    assert store.put(blob(3, 3 * KB)) in stored(store)  # exactly the bound fits, alone


def test_a_write_that_fails_leaves_neither_a_file_nor_a_temporary(store, monkeypatch):
    store.put(blob(1))

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_store.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.put(blob(2))
    assert sorted(p.name for p in store.folder.iterdir()) == [".lock", f"{model_store.model_id(blob(1))}.npz"]


def test_temporaries_of_dead_writers_are_removed_and_those_of_live_writers_kept(store):
    store.folder.mkdir()
    dead, live = store.folder / ".tmp-dead", store.folder / ".tmp-live"
    dead.write_bytes(b"half a model")
    live.write_bytes(b"a model being written")
    old = time.time() - model_store.STALE_TEMP_S - 60
    os.utime(dead, (old, old))
    store.put(blob(1))
    assert not dead.exists() and live.exists()


def test_a_reader_sees_a_whole_file_or_none(store, monkeypatch):
    """The file appears under its id only by a rename, after all its bytes were written."""
    data = blob(1)
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        seen.append((Path(src).read_bytes() == data, Path(dst).exists()))
        real_replace(src, dst)

    monkeypatch.setattr(model_store.os, "replace", replace)
    store.put(data)
    assert seen == [(True, False)]


WRITER = """
import sys
from pathlib import Path
from ui.common import model_store
store = model_store.ModelStore(Path(sys.argv[1]), int(sys.argv[2]))
first, n = int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    store.put(i.to_bytes(4, "big") * 250 if i % 5 == 0 else (first + i).to_bytes(4, "big") * 250)
"""

READER = """
import sys
from pathlib import Path
from ui.common import model_store
folder, bad, reads = Path(sys.argv[1]), 0, 0
while not (folder / "done").exists():
    for path in folder.glob("*.npz"):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        reads += 1
        bad += model_store.model_id(data) != path.stem
print(bad, reads)
"""


def test_two_processes_writing_at_once_keep_the_store_whole_and_bounded(tmp_path):
    """Two writers put 60 files of 1 KB each (every fifth the same in both) into a store bounded
    at 5 KB while a third process reads every file it finds: no reader sees a partial file, the
    bound holds, and no temporary is left."""
    folder = tmp_path / "models"
    folder.mkdir()
    run = [sys.executable, "-c"]
    reader = subprocess.Popen(run + [READER, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    writers = [subprocess.Popen(run + [WRITER, str(folder), str(5 * KB), str(first), "60"], cwd=ROOT)
               for first in (1_000, 2_000)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    (folder / "done").touch()
    out, _ = reader.communicate(timeout=60)
    bad, reads = map(int, out.split())
    assert bad == 0 and reads > 0
    files = list(folder.glob("*.npz"))
    assert len(files) == 5 and sum(p.stat().st_size for p in files) == 5 * KB
    assert all(model_store.model_id(p.read_bytes()) == p.stem for p in files)
    assert not list(folder.glob(model_store.TEMP_PREFIX + "*"))


@pytest.mark.parametrize(("value", "expected"), [("", 500_000_000), ("30", 30_000_000), ("0.5", 500_000),
                                                 ("0", 0), ("-1", 500_000_000), ("lots", 500_000_000),
                                                 ("nan", 500_000_000), ("inf", 500_000_000)])
def test_the_bound_comes_from_the_environment_in_megabytes(value, expected):
    assert model_store.configured_bound({model_store.ENV: value}) == expected


def test_the_default_store_is_the_data_folders_models_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path))
    monkeypatch.setenv(model_store.ENV, "2")
    store = model_store.default_store()
    assert store.folder == tmp_path / "models" and store.max_bytes == 2_000_000
