"""Hostile model files for the fuzz tests: every field of a model file (the parameters, the
metadata, the training history) given values a loader must refuse, as one list of named cases
(each refused with a message naming its field) and a pool of values tried in every field.

Shared by tests/test_model_file_fuzz.py (rnn_core's loader and the CLI) and
tests/app/test_model_upload_fuzz.py (the Train page's uploader).
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass

import numpy as np

import rnn_core as rc
from rnn_core.model_file import HISTORY, META
from rnn_core.weights import NAMES

FIELDS = NAMES + META + HISTORY  # every member of a model file with its training history


@functools.lru_cache(maxsize=None)
def base_bytes(level: str) -> bytes:
    """A trained model with its history: the seed preset (word) or a short char-level text."""
    corpus = rc.seed_corpus() if level == "word" else rc.make_corpus("hello world\n", "char", "hello")
    config = rc.seed_config(steps=20) if level == "word" else rc.TrainConfig(hidden_size=4, embed_dim=3, steps=20)
    trained, _, _ = rc.training.record_training(rc.training.start_model(corpus, config), corpus, config)
    return rc.to_bytes(trained)


def base_arrays(level: str) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(base_bytes(level)), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def raw_unicode(code_points: list[int], shape=()) -> np.ndarray:
    """A unicode array holding exactly these code points, valid or not (numpy does not check:
    U+110000 cannot be written as a Python string at all)."""
    data = np.array(code_points, dtype="<u4").tobytes()
    return np.frombuffer(data, dtype=f"<U{len(code_points)}").reshape(shape).copy()


def config_text(level: str, **changes) -> np.ndarray:
    fields = json.loads(str(base_arrays(level)["config"]))
    return np.array(json.dumps({**fields, **changes}))


def with_token(level: str, token) -> np.ndarray:
    """The vocabulary with its second token replaced."""
    vocab = list(base_arrays(level)["vocab"])
    vocab[1] = token
    return np.array(vocab)


def with_code_point(level: str, code: int) -> np.ndarray:
    """The vocabulary with its second token replaced by one code point, valid or not."""
    vocab = base_arrays(level)["vocab"].astype(np.dtype("<U4"))
    codes = vocab.view(np.uint32).reshape(len(vocab), 4).copy()
    codes[1] = (code, 0, 0, 0)
    return codes.reshape(-1).view("<U4")


@dataclass(frozen=True)
class Case:
    """A model file with one field changed, and the words its refusal must say."""

    name: str
    level: str
    field: str
    value: object  # np.ndarray, or a callable (level) -> np.ndarray built when used
    words: tuple[str, ...]

    def data(self) -> bytes:
        value = self.value(self.level) if callable(self.value) else self.value
        return npz_bytes({**base_arrays(self.level), self.field: value})


SURROGATE_WORDS = "I love \ud800 deep learning"
CASES = (
    # the cases of the bug report
    Case("config-int-4400-digits", "word", "config", lambda lv: np.array('{"seed": ' + "9" * 4400 + "}"),
         ("'config'", "4,400 digits")),
    Case("config-nested-4000-deep", "word", "config", np.array("[" * 4000 + "]" * 4000), ("'config'", "nested")),
    Case("corpus-text-surrogate-word", "word", "corpus_text", np.array(SURROGATE_WORDS), ("'corpus_text'", "U+D800")),
    Case("corpus-text-surrogate-char", "char", "corpus_text", np.array("hel\ud800lo"), ("'corpus_text'", "U+D800")),
    Case("corpus-name-surrogate", "word", "corpus_name", np.array("seed \ud800"), ("'corpus_name'", "U+D800")),
    Case("vocab-char-surrogate", "char", "vocab", lambda lv: with_token(lv, "\ud800"), ("'vocab'", "U+D800")),
    Case("steps-trained-uint64-max", "word", "steps_trained", np.array(2**64 - 1, np.uint64), ("'steps_trained'",)),
    # and more: text that is not text in every text field
    Case("vocab-word-surrogate", "word", "vocab", lambda lv: with_token(lv, "lo\udce9ve"), ("'vocab'", "0xE9")),
    Case("vocab-past-unicode", "char", "vocab", lambda lv: with_code_point(lv, 0x110000), ("'vocab'", "U+110000")),
    Case("corpus-name-past-unicode", "word", "corpus_name", raw_unicode([ord("x"), 0x110000]),
         ("'corpus_name'", "U+110000")),
    Case("corpus-text-big-endian-surrogate", "word", "corpus_text",
         np.array(SURROGATE_WORDS, dtype=f">U{len(SURROGATE_WORDS)}"), ("'corpus_text'", "U+D800")),
    Case("format-surrogate", "word", "format", np.array("rnn-autoregression-lab/1\ud800"), ("'format'",)),
    Case("level-surrogate", "word", "level", np.array("wo\udfffrd"), ("'level'",)),
    Case("config-escaped-surrogate-key", "word", "config", np.array('{"\\ud800": 1}'), ("'config'", "U+D800")),
    Case("config-escaped-surrogate-value", "word", "config", lambda lv: config_text(lv, optimizer="\udce9"),
         ("'config'",)),
    # bounded JSON and integers in range
    Case("config-int-20-digits", "word", "config", lambda lv: config_text(lv, seed=10**19), ("'config'", "seed")),
    Case("config-negative-seed", "word", "config", lambda lv: config_text(lv, seed=-1), ("'config'", "seed")),
    Case("config-not-an-object", "word", "config", np.array("[1, 2]"), ("'config'", "object")),
    Case("config-null", "word", "config", np.array("null"), ("'config'",)),
    Case("config-nan-learning-rate", "word", "config", lambda lv: np.array(str(config_text(lv)).replace(
        '"lr": 0.02', '"lr": NaN')), ("'config'", "learning rate")),
    Case("config-overflowing-float", "word", "config", lambda lv: np.array(str(config_text(lv)).replace(
        '"lr": 0.02', '"lr": 1e999')), ("'config'", "learning rate")),
    Case("config-nested-value", "word", "config", lambda lv: config_text(lv, seed={"a": [1]}), ("'config'",)),
    Case("config-string-size", "word", "config", lambda lv: config_text(lv, hidden_size="3"),
         ("'config'", "hidden size")),
    Case("config-too-long", "word", "config", np.array(" " * 10_001 + "{}"), ("'config'", "10,003")),
    Case("config-not-json", "word", "config", np.array("{'seed': 1}"), ("'config'",)),
    Case("steps-trained-negative", "word", "steps_trained", np.array(-1), ("'steps_trained'",)),
    Case("steps-trained-past-limit", "word", "steps_trained", np.array(10**12 + 1), ("'steps_trained'",)),
    Case("steps-trained-int64-max", "word", "steps_trained", np.array(2**63 - 1), ("'steps_trained'",)),
    Case("steps-trained-float", "word", "steps_trained", np.array(60.0), ("'steps_trained'",)),
    Case("steps-trained-array", "word", "steps_trained", np.array([60, 60]), ("'steps_trained'",)),
    Case("last-loss-negative", "word", "last_loss", np.array(-1.0), ("'last_loss'",)),
    Case("last-loss-infinite", "word", "last_loss", np.array(np.inf), ("'last_loss'",)),
    Case("last-loss-text", "word", "last_loss", np.array("0.1"), ("'last_loss'",)),
    Case("history-steps-uint64", "word", "history_steps", lambda lv: np.full_like(
        base_arrays(lv)["history_steps"], 2**64 - 1, dtype=np.uint64), ("history",)),
    Case("history-losses-nan", "word", "history_losses", lambda lv: np.full_like(
        base_arrays(lv)["history_losses"], np.nan), ("history",)),
    Case("W-h-nan", "word", "W_h", np.full((3, 3), np.nan), ("'W_h'", "non-finite")),
    Case("b-y-huge", "char", "b_y", lambda lv: np.full_like(base_arrays(lv)["b_y"], 1e7), ("'b_y'",)),
)

# Tried in every field: each must be refused with ModelFileError, or give a model that works.
HOSTILE_VALUES = {
    "surrogate": np.array("\ud800"),
    "escaped byte": np.array("caf\udce9"),
    "past unicode": raw_unicode([0x110000]),
    "empty text": np.array(""),
    "long text": np.array("x" * 3000),
    "uint64 max": np.array(2**64 - 1, np.uint64),
    "int64 min": np.array(-(2**63)),
    "huge float": np.array(1e308),
    "nan": np.array(np.nan),
    "complex": np.array(1 + 2j),
    "bool": np.array(True),
    "bytes": np.array(b"bytes"),
    "empty array": np.zeros((0,)),
    "3-D": np.zeros((2, 2, 2)),
    "float16 matrix": np.ones((5, 3), np.float16),
    "surrogate list": np.array(["I", "\ud800", "</s>"]),
    "deep json": np.array("[" * 4000 + "]" * 4000),
    "big int json": np.array("9" * 4400),
    "object": np.array([{"a": 1}], dtype=object),
}


def hostile_files():
    """(field, value name, bytes) for every field of a word-level model file with every value
    of HOSTILE_VALUES in its place."""
    arrays = base_arrays("word")
    for field in FIELDS:
        for name, value in HOSTILE_VALUES.items():
            yield field, name, npz_bytes({**arrays, field: value})
