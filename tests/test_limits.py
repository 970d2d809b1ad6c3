"""Generation settings have one declared range each, and every check uses it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import rnn_core as rc
from rnn_core import limits


def test_the_documented_decisions():
    T = limits.TEMPERATURE
    assert (T.low, T.high, T.default) == (0.0, 5.0, 1.0) and "0 means greedy" in T.note
    assert (limits.TOP_K.low, limits.TOP_K.default) == (0, 0)  # 0 = off
    assert (limits.TOP_P.high, limits.TOP_P.default) == (1.0, 1.0)  # 1 = off
    assert (limits.MIN_P.low, limits.MIN_P.default) == (0.0, 0.0)
    assert (limits.REPETITION_PENALTY.low, limits.REPETITION_PENALTY.default) == (1.0, 1.0)
    assert limits.MAX_TOKENS.high == 500 and limits.PROMPT_TOKENS.high == 500
    assert (limits.SEED.low, limits.SEED.high) == (0, 2**32 - 1)


@pytest.mark.parametrize("limit", limits.GENERATION, ids=lambda lim: lim.key)
def test_each_limit_accepts_its_ends_and_default_and_refuses_the_rest(limit):
    for value in (limit.low, limit.high, limit.default):
        assert limit.check(value) == value
    nudge = 1 if limit.integer else 1e-9
    bad = [limit.low - nudge, limit.high + nudge, None, "1", True]
    bad += [1.5] if limit.integer else [float("nan"), float("inf")]
    for value in bad:
        with pytest.raises(rc.ConfigError) as e:
            limit.check(value)
        message = str(e.value)
        assert message.startswith(f"{limit.name} must be") and limit.range_text() in message
        assert message.endswith(f"not {value!r}.")


def test_integer_limits_take_numpy_integers_and_refuse_floats():
    assert limits.MAX_TOKENS.check(np.int64(7)) == 7
    with pytest.raises(rc.ConfigError, match="a whole number from 1 to 500"):
        limits.MAX_TOKENS.check(7.0)


def test_range_text_names_the_range_and_the_special_value():
    assert limits.TEMPERATURE.range_text() == "from 0 to 5 (0 means greedy)"
    assert limits.SEED.range_text() == "a whole number from 0 to 4,294,967,295"
    assert limits.TOP_K.flag == "--top-k" and limits.REPETITION_PENALTY.flag == "--repetition-penalty"


def test_the_rules_defaults_are_the_limits_defaults():
    fields = {f.name: f.default for f in dataclasses.fields(rc.Rule)}
    for limit in limits.RULE_KNOBS:
        assert fields[limit.key] == limit.default
    assert limits.BY_KEY["top_k"] is limits.TOP_K


@pytest.mark.parametrize("knob, value, words", [
    ("temperature", 5.01, "temperature must be from 0 to 5"),
    ("temperature", -1.0, "temperature must be from 0 to 5 (0 means greedy)"),
    ("top_p", 0.001, "top-p must be from 0.01 to 1"),
    ("min_p", 1.5, "min-p must be from 0 to 1"),
    ("typical_p", 0.0, "typical-p must be from 0.01 to 1"),
    ("repetition_penalty", 0.9, "repetition penalty must be from 1 to 5"),
    ("top_k", 20_001, "top-k must be a whole number from 0 to 20,000"),
])
def test_a_rule_out_of_range_names_the_range(knob, value, words):
    with pytest.raises(rc.ConfigError) as e:
        rc.Rule("sample", **{knob: value})
    assert words in str(e.value)


def test_top_k_may_not_exceed_the_vocabulary(tiny_model):
    assert limits.check_top_k(3, 3) == 3 and limits.check_top_k(0, 3) == 0
    with pytest.raises(rc.ConfigError, match="at most the vocabulary size 3"):
        rc.Rule("sample", top_k=4).check_vocab(3)
    with pytest.raises(rc.ConfigError, match="vocabulary size 3"):
        rc.generate(tiny_model, "a", rc.Rule("sample", top_k=4))
    traces = rc.generate(tiny_model, "a", rc.Rule("sample"), max_tokens=2)
    with pytest.raises(rc.ConfigError, match="vocabulary size 3"):
        rc.fork(tiny_model, traces, 1, "b", rc.Rule("sample", top_k=4))
