"""Model files: exact round trip, and a ModelFileError naming the problem for anything else."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.params import NAMES


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
    ("config", np.array(json.dumps({"hidden_size": 4})), ["shape"]),  # config and arrays disagree
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
