"""Model files: exact round trip, and a ModelFileError naming the problem for anything else."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.weights import NAMES


def arrays_of(model: rc.Model) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(rc.to_bytes(model)), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def refused(data: bytes, *words: str) -> str:
    with pytest.raises(rc.ModelFileError) as e:
        rc.from_bytes(data)
    message = str(e.value)
    for word in words:
        assert word in message, message
    return message


def test_save_load_round_trip_is_exact(trained_seed, tmp_path):
    path = tmp_path / "seed.npz"
    rc.save(trained_seed, str(path))
    loaded = rc.load(str(path))
    for name in NAMES:
        a, b = getattr(loaded.params, name), getattr(trained_seed.params, name)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    assert loaded.vocab == trained_seed.vocab
    assert loaded.level == "word"
    assert loaded.config == trained_seed.config
    assert loaded.corpus_name == trained_seed.corpus_name
    assert loaded.corpus_text == "I love deep learning"
    assert loaded.steps_trained == 60
    assert loaded.last_loss == trained_seed.last_loss
    assert [tr.token for tr in rc.generate(loaded, "I")] == ["love", "deep", "learning", "</s>"]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_round_trip_of_an_untrained_float32_char_model():
    corpus = rc.make_corpus("héllo wörld\n", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=5, embed_dim=2, dtype="float32"))
    loaded = rc.from_bytes(rc.to_bytes(model))
    assert loaded.params.W_h.dtype == np.float32
    assert loaded.vocab.tokens == model.vocab.tokens and "\n" in loaded.vocab
    assert loaded.corpus_text == "héllo wörld\n"
    assert np.isnan(loaded.last_loss) and loaded.steps_trained == 0


def test_file_keys_are_the_parameters_plus_plain_metadata(trained_seed):
    a = arrays_of(trained_seed)
    assert set(NAMES) <= set(a)
    assert a["vocab"].dtype.kind == "U" and a["vocab"].tolist() == ["I", "love", "deep", "learning", "</s>"]
    assert all(v.dtype != object for v in a.values())


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(rc.ModelFileError, match="cannot read"):
        rc.load(str(tmp_path / "nope.npz"))
    with pytest.raises(rc.ModelFileError, match="cannot read"):
        rc.load(str(tmp_path))  # a directory


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 8, b"\x93NUMPY not really", b"PK\x03\x04garbage"])
def test_random_bytes_are_refused(data):
    message = refused(data, "not a model file")
    assert "pickle" not in message  # never advise loading it unsafely


def test_a_lone_npy_array_is_refused():
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    refused(buf.getvalue(), "not an .npz")


def test_a_zip_that_is_not_an_npz_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(buf.getvalue(), "readme.txt")


def test_pickled_object_arrays_are_never_unpickled(trained_seed, monkeypatch):
    import pickle

    def no_unpickling(*args, **kwargs):
        raise AssertionError("the loader tried to unpickle")

    monkeypatch.setattr(pickle, "loads", no_unpickling)
    monkeypatch.setattr(pickle, "load", no_unpickling)
    a = arrays_of(trained_seed)
    a["vocab"] = np.array(list(a["vocab"]), dtype=object)
    refused(npz_bytes(**a), "not a model file")


def test_missing_and_extra_keys_are_named(trained_seed):
    a = arrays_of(trained_seed)
    del a["W_h"]
    refused(npz_bytes(**a), "missing", "'W_h'")
    a = arrays_of(trained_seed)
    a["secret"] = np.zeros(2)
    refused(npz_bytes(**a), "unexpected", "'secret'")


@pytest.mark.parametrize("key, value, words", [
    ("W_y", np.zeros((3, 3)), ["'W_y'", "shape", "(5, 3)"]),
    ("embedding", np.zeros((5, 4)), ["'embedding'", "shape"]),
    ("b_h", np.zeros((3, 1)), ["'b_h'", "shape"]),
    ("W_x", np.zeros((3, 3), np.int64), ["float"]),
    ("W_x", np.zeros((3, 3), np.float32), ["float"]),  # mixed float32 and float64
    ("W_x", np.zeros((3, 3), np.complex128), ["float"]),
    ("b_y", np.array([0.0, np.nan, 0, 0, 0]), ["'b_y'", "non-finite"]),
    ("W_h", np.full((3, 3), np.inf), ["'W_h'", "non-finite"]),
    ("W_y", np.full((5, 3), 1e300), ["'W_y'", "beyond"]),  # finite, but the logits would overflow
    ("vocab", np.array(["I", "love", "love", "learning", "</s>"]), ["'vocab'", "distinct"]),
    ("vocab", np.arange(5), ["'vocab'"]),
    ("vocab", np.array([], dtype=str), ["'vocab'"]),
    ("level", np.array("bytes"), ["'level'"]),
    ("level", np.array(3), ["'level'"]),
    ("config", np.array("{not json"), ["'config'"]),
    ("config", np.array("[1, 2]"), ["'config'"]),
    ("config", np.array(json.dumps({"lr": -1.0})), ["'config'", "learning rate"]),
    ("config", np.array(json.dumps({"hidden_size": 3, "wings": 2})), ["'config'"]),
    ("config", np.array(json.dumps({"hidden_size": 4, "dtype": "float64"})), ["shape"]),  # config and arrays disagree
    ("config", np.array(json.dumps({"dtype": "float32"})), ["float32"]),
    ("corpus_text", np.array("I love cats"), ["'corpus_text'", "cats"]),
    ("corpus_text", np.array("I"), ["'corpus_text'"]),
    ("steps_trained", np.array(-1), ["'steps_trained'"]),
    ("steps_trained", np.array(1.5), ["'steps_trained'"]),
    ("last_loss", np.array(np.inf), ["'last_loss'"]),
    ("format", np.array("something-else/9"), ["format"]),
])
def test_inconsistent_contents_are_refused_with_the_problem_named(trained_seed, key, value, words):
    a = arrays_of(trained_seed)
    a[key] = value
    refused(npz_bytes(**a), *words)


def test_arrays_claiming_huge_sizes_are_refused_before_allocation(trained_seed):
    a = arrays_of(trained_seed)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**7, 10**7)})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in a.items():
            if k != "W_y":
                one = io.BytesIO()
                np.save(one, v)
                z.writestr(f"{k}.npy", one.getvalue())
        z.writestr("W_y.npy", header.getvalue() + b"\0" * 64)
    refused(buf.getvalue(), "limit")


def test_save_is_atomic_and_leaves_nothing_when_it_fails(trained_seed, tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"old")
    with pytest.raises(OSError):
        rc.save(trained_seed, str(tmp_path / "missing-dir" / "m.npz"))
    target = tmp_path / "dir.npz"
    target.mkdir()
    with pytest.raises(OSError):
        rc.save(trained_seed, str(target))  # replacing a directory fails
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.npz", "m.npz"]
    assert path.read_bytes() == b"old"


# ---------------------------------------------------------------- vocabularies the tokenizer can produce


@pytest.fixture(scope="module")
def char_model() -> rc.Model:
    corpus = rc.make_corpus("abc ab\n", "char")  # vocab a, b, c, ' ', '\n'
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))


@pytest.mark.parametrize("vocab, words", [
    (["I", "love", "", "learning", "</s>"], ["token 2", "empty"]),
    (["I", "love", " ", "learning", "</s>"], ["token 2", "whitespace"]),
    (["I", "love", "hello world", "learning", "</s>"], ["token 2", "'hello', 'world'"]),
    (["I", "love", "a\x00b", "learning", "</s>"], ["token 2", "'a', '\\x00', 'b'"]),
    (["I", "love", "deep ", "learning", "</s>"], ["token 2", "'deep'"]),
])
def test_word_vocabularies_the_tokenizer_cannot_produce_are_refused(trained_seed, vocab, words):
    a = arrays_of(trained_seed)
    a["vocab"] = np.array(vocab)
    a["corpus_text"] = np.array("")
    message = refused(npz_bytes(**a), "'vocab'", "word-level", *words)
    assert "not a model file" not in message  # the file is well formed; its vocabulary is not


@pytest.mark.parametrize("vocab, words", [
    (["ab", "b", "c", " ", "\n"], ["token 0", "2 characters", "one character"]),
    (["a", "b", "c", "</s>x", "\n"], ["token 3"]),
    (["a", "b", "c", "", "\n"], ["token 3", "0 characters"]),
])
def test_char_vocabularies_with_tokens_other_than_one_character_are_refused(char_model, vocab, words):
    a = arrays_of(char_model)
    a["vocab"] = np.array(vocab)
    a["corpus_text"] = np.array("")
    refused(npz_bytes(**a), "'vocab'", "char-level", *words)


def test_a_char_vocabulary_of_single_characters_and_eos_loads(char_model):
    a = arrays_of(char_model)
    a["vocab"] = np.array(["a", "b", "c", " ", "</s>"])
    a["corpus_text"] = np.array("")
    assert rc.from_bytes(npz_bytes(**a)).vocab.tokens == ("a", "b", "c", " ", "</s>")


@pytest.mark.parametrize("level", ["word", "char"])
def test_a_vocabulary_of_only_eos_is_refused(level):
    E = H = 2
    a = {"embedding": np.zeros((1, E)), "W_x": np.zeros((H, E)), "W_h": np.zeros((H, H)), "b_h": np.zeros(H),
         "W_y": np.zeros((1, H)), "b_y": np.zeros(1), "vocab": np.array(["</s>"]), "level": np.array(level),
         "config": np.array(json.dumps({"hidden_size": H, "embed_dim": E})), "corpus_name": np.array("x"),
         "corpus_text": np.array(""), "steps_trained": np.array(0), "last_loss": np.array(np.nan),
         "format": np.array("rnn-autoregression-lab/1")}
    refused(npz_bytes(**a), "'vocab'", "only </s>", "at least one other token")


# ---------------------------------------------------------------- hostile files cost little before refusal


def peak_bytes_while_refusing(data: bytes, *words: str) -> int:
    """Refuse ``data`` with ``words`` in the message; returns the peak of Python and numpy
    allocations during the refusal (numpy reports its arrays to tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        refused(data, *words)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_declared_W_h_is_refused_from_its_header(trained_seed):
    a = arrays_of(trained_seed)
    a["W_h"] = np.zeros((2000, 2000))  # 32 MB of zeros, about 31 KB compressed
    buf = io.BytesIO()
    np.savez_compressed(buf, **a)
    data = buf.getvalue()
    a.clear()
    assert len(data) < 100_000
    assert peak_bytes_while_refusing(data, "'W_h'", "shape (2000, 2000)", "(3, 3)") < 2_000_000


def test_a_zip_of_25k_members_is_refused_from_its_directory_record():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(25_000):
            z.writestr(f"m{i}.npy", b"")
    data = buf.getvalue()
    assert peak_bytes_while_refusing(data, "25,000 members", "at most") < 500_000


def test_an_archive_that_understates_its_member_count_is_still_refused(trained_seed):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(40):
            z.writestr(f"m{i}.npy", b"")
    data = bytearray(buf.getvalue())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (14).to_bytes(2, "little") * 2  # entries: 14 here, 14 in all
    refused(bytes(data), "not a model file")


def test_a_two_million_character_token_is_refused_from_the_vocab_header(trained_seed):
    a = arrays_of(trained_seed)
    a["vocab"] = np.array(["x" * 2_000_000])  # 8 MB of UCS-4, a few KB compressed
    buf = io.BytesIO()
    np.savez_compressed(buf, **a)
    data = buf.getvalue()
    a.clear()
    assert len(data) < 100_000
    assert peak_bytes_while_refusing(data, "'vocab'", "2,000,000 characters", "limit is 100") < 1_000_000


def test_a_vocabulary_past_the_limit_is_refused_from_its_header(trained_seed):
    from rnn_core.tokens import MAX_VOCAB

    V, E, H = 100_000, 1, 1
    a = arrays_of(trained_seed)
    a.update(vocab=np.array([f"w{i}" for i in range(V)]), embedding=np.zeros((V, E)), W_x=np.zeros((H, E)),
             W_h=np.zeros((H, H)), b_h=np.zeros(H), W_y=np.zeros((V, H)), b_y=np.zeros(V), corpus_text=np.array(""),
             config=np.array(json.dumps({"hidden_size": H, "embed_dim": E})))
    buf = io.BytesIO()
    np.savez_compressed(buf, **a)
    data = buf.getvalue()
    a.clear()
    assert peak_bytes_while_refusing(data, "'vocab'", "100,000 tokens", f"{MAX_VOCAB:,}") < 1_000_000


def test_a_corpus_text_past_the_corpus_limit_is_refused_from_its_header(trained_seed):
    a = arrays_of(trained_seed)
    a["corpus_text"] = np.array("I love deep learning\n" * 150_000)  # 3.15 M characters, 12.6 MB
    buf = io.BytesIO()
    np.savez_compressed(buf, **a)
    data = buf.getvalue()
    a.clear()
    assert peak_bytes_while_refusing(data, "'corpus_text'", "3,150,000 characters", "limit") < 1_000_000


def npy_member(header: dict, data: bytes, version=(1, 0)) -> bytes:
    out = io.BytesIO()
    write = np.lib.format.write_array_header_1_0 if version == (1, 0) else np.lib.format.write_array_header_2_0
    write(out, header)
    return out.getvalue() + data


def archive_with(trained_seed, name: str, member: bytes) -> bytes:
    """The trained seed's file with member ``name`` replaced by raw bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in arrays_of(trained_seed).items():
            one = io.BytesIO()
            np.save(one, v)
            z.writestr(f"{k}.npy", member if k == name else one.getvalue())
    return buf.getvalue()


def test_a_member_holding_less_data_than_its_header_declares_is_refused(trained_seed):
    member = npy_member({"descr": "<f8", "fortran_order": False, "shape": (3, 3)}, b"\0" * 8)
    refused(archive_with(trained_seed, "W_h", member), "'W_h.npy'", "72 bytes", "holds 8")


def test_a_header_claiming_gigabytes_of_header_is_refused_without_reading_it(trained_seed):
    member = b"\x93NUMPY\x02\x00" + (4_000_000_000).to_bytes(4, "little") + b"{" * 100
    assert peak_bytes_while_refusing(archive_with(trained_seed, "W_h", member), "'W_h.npy'", "header") < 500_000


def test_an_object_array_header_is_refused_before_any_unpickling(trained_seed):
    member = npy_member({"descr": "|O", "fortran_order": False, "shape": (5,)}, b"\0" * 40)
    refused(archive_with(trained_seed, "vocab", member), "not a model file", "object")


def test_an_archive_naming_a_member_twice_is_refused(trained_seed):
    data = bytearray(archive_with(trained_seed, "W_h", npy_member(
        {"descr": "<f8", "fortran_order": False, "shape": (3, 3)}, b"\0" * 72)))
    data = bytes(data).replace(b"b_h.npy", b"W_h.npy")  # local headers and directory alike
    refused(data, "'W_h' twice")


# ---------------------------------------------------------------- save leaves no orphan


def test_a_save_killed_before_its_rename_leaves_a_temporary_the_next_save_removes(trained_seed, tmp_path):
    import subprocess
    import sys

    target = tmp_path / "m.npz"
    target.write_bytes(b"old")
    script = (
        "import os, signal, rnn_core as rc\n"
        "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # dies where kill -9 would hurt most\n"
        f"rc.save(rc.seed_model(), {str(target)!r})\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=str(Path(__file__).parents[1]))
    assert killed.returncode == -9
    (orphan,) = [p for p in tmp_path.iterdir() if p.name.startswith("m.npz.tmp-")]
    assert target.read_bytes() == b"old"  # the target is safe
    assert orphan.stat().st_size > 0
    rc.save(trained_seed, str(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    assert rc.load(str(target)).steps_trained == 60


def test_temporaries_of_running_processes_and_other_files_are_left_alone(trained_seed, tmp_path):
    import subprocess
    import sys

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        keep = [f"m.npz.tmp-{sleeper.pid}", "other.npz.tmp-1", "m.npz.tmp-x", "m.npz.tmp-12.bak", "mm.npz.tmp-1"]
        for name in keep:
            (tmp_path / name).write_bytes(b"x")
        rc.save(trained_seed, str(tmp_path / "m.npz"))
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep + ["m.npz"])
    finally:
        sleeper.kill()
        sleeper.wait()


# ---------------------------------------------------------------- training history in the file

FIXTURES = Path(__file__).parent / "fixtures"


def test_an_old_format_file_without_history_still_loads():
    old = rc.load(str(FIXTURES / "seed-format1.npz"))
    assert old.history is None
    assert old.steps_trained == 60 and old.last_loss == 0.10010521726481061
    assert [tr.token for tr in rc.generate(old, "I")] == ["love", "deep", "learning", "</s>"]
    char = rc.load(str(FIXTURES / "char-format1.npz"))
    assert char.history is None and char.params.W_h.dtype == np.float32 and char.steps_trained == 20
    assert [cp[0] for cp in old.checkpoints()] == [60]


def test_round_trip_without_history_keeps_none(trained_seed):
    assert trained_seed.history is None
    loaded = rc.from_bytes(rc.to_bytes(trained_seed))
    assert loaded.history is None
    assert not any(k.startswith("history_") for k in arrays_of(trained_seed))


@pytest.fixture(scope="module")
def seed_with_history() -> rc.Model:
    from rnn_core.recorder import record_training

    model = rc.seed_model()
    trained, _, _ = record_training(model, rc.seed_corpus(), model.config)
    return trained


def test_round_trip_with_history_is_exact(seed_with_history):
    loaded = rc.from_bytes(rc.to_bytes(seed_with_history))
    h, g = loaded.history, seed_with_history.history
    np.testing.assert_array_equal(h.losses, g.losses)
    np.testing.assert_array_equal(h.steps, g.steps)
    assert h.losses.dtype == np.float64 and h.steps.dtype == np.int64 and len(h.losses) == 60
    for a, b in zip(h.snapshots, g.snapshots):
        for name in NAMES:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert [s for s, _ in loaded.checkpoints()] == h.steps.tolist() + [60]


def test_history_is_stored_as_plain_stacked_arrays(seed_with_history):
    a = arrays_of(seed_with_history)
    S = len(seed_with_history.history.steps)
    assert a["history_losses"].shape == (60,) and a["history_steps"].shape == (S,)
    assert a["history_W_y"].shape == (S, 5, 3) and a["history_embedding"].shape == (S, 5, 3)
    assert a["history_b_h"].shape == (S, 3) and a["history_W_h"].dtype == np.float64
    np.testing.assert_array_equal(a["history_W_h"][0], rc.seed_model().params.W_h)  # step 0: initial weights


def history_file(model: rc.Model, **changes) -> bytes:
    a = arrays_of(model)
    for key, value in changes.items():
        if value is None:
            del a[key]
        else:
            a[key] = value
    return npz_bytes(**a)


@pytest.mark.parametrize("change, words", [
    (lambda a: {"history_losses": a["history_losses"][:, None]}, ["'history_losses'", "1-D float64"]),
    (lambda a: {"history_losses": a["history_losses"].astype(np.float32)}, ["'history_losses'", "float64"]),
    (lambda a: {"history_losses": np.where(np.arange(60) == 7, np.nan, a["history_losses"])}, ["finite"]),
    (lambda a: {"history_losses": np.zeros(61)}, ["61 losses", "60 steps"]),
    (lambda a: {"history_steps": a["history_steps"][::-1].copy()}, ["snapshot steps", "increase"]),
    (lambda a: {"history_steps": a["history_steps"] + 100}, ["snapshot steps", "0..60"]),
    (lambda a: {"history_steps": a["history_steps"].astype(np.float64)}, ["'history_steps'", "integer"]),
    (lambda a: {"history_W_h": a["history_W_h"][:, :2]}, ["'history_W_h'", "must be", "(19, 3, 3)"]),
    (lambda a: {"history_W_y": a["history_W_y"].astype(np.float32)}, ["'history_W_y'", "float64"]),
    (lambda a: {"history_b_y": np.full_like(a["history_b_y"], np.inf)}, ["'history_b_y'", "non-finite"]),
    (lambda a: {"history_W_x": np.full_like(a["history_W_x"], 1e9)}, ["'history_W_x'", "beyond"]),
    (lambda a: {"history_b_h": None}, ["history", "incomplete", "'history_b_h'"]),
    (lambda a: {"history_W_h": np.zeros((21, 3, 3))}, ["'history_W_h'", "21"]),
])
def test_a_malformed_history_is_refused_with_the_problem_named(seed_with_history, change, words):
    a = arrays_of(seed_with_history)
    refused(history_file(seed_with_history, **change(a)), *words)


def test_more_snapshots_than_the_limit_are_refused_from_the_headers(seed_with_history):
    from rnn_core.history import MAX_SNAPSHOTS

    S = MAX_SNAPSHOTS + 1
    a = arrays_of(seed_with_history)
    changes = {f"history_{name}": np.zeros((S,) + a[name].shape) for name in NAMES}
    refused(history_file(seed_with_history, history_steps=np.arange(S), **changes), "'history_steps'", "21", "limit")


def test_corrupted_bytes_are_refused_with_a_model_file_error_and_nothing_else(seed_with_history):
    """A few random bytes changed anywhere (fixed seed): the loader either refuses with
    ModelFileError or returns a model it fully checked; no other exception escapes."""
    data = rc.to_bytes(seed_with_history)
    rng = np.random.default_rng(1)
    refusals = 0
    for _ in range(600):
        b = bytearray(data)
        for _ in range(rng.integers(1, 4)):
            b[rng.integers(len(b))] = rng.integers(256)
        try:
            rc.from_bytes(bytes(b))
        except rc.ModelFileError:
            refusals += 1
    assert refusals > 500  # most corruptions hit a checked byte (CRC, header, value)
