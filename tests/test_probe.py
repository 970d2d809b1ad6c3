"""Hidden-unit activity over a text, against hand computations on ``hand_model`` and against the
step-by-step traces of teacher forcing."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.probe import MAX_TEXT_TOKENS


def test_activity_is_h_t_after_each_token_as_by_hand(tiny_model):
    got = rc.analysis.unit_activity(tiny_model, ["a", "b", "a"])
    # h_1 = [0.6, -0.8]; 'b' adds W_x x = 0 and W_h h_1 = [0.8, 0.6]; 'a' adds [ln 2, 0] and W_h h_2
    h1 = [0.6, -0.8]
    h2 = [math.tanh(0.8), math.tanh(0.6 - math.log(3))]
    h3 = [math.tanh(math.log(2) - h2[1]), math.tanh(h2[0] - math.log(3))]
    assert got.tokens == ("a", "b", "a")
    assert got.h.shape == (3, 2)
    np.testing.assert_allclose(got.h, [h1, h2, h3], rtol=1e-14, atol=1e-15)
    expected_std = [statistics.pstdev([h1[i], h2[i], h3[i]]) for i in range(2)]
    np.testing.assert_allclose(got.std, expected_std, rtol=1e-12)
    assert got.order == tuple(sorted(range(2), key=lambda i: -expected_std[i]))


def test_activity_matches_the_teacher_forced_traces(random_model):
    words = ["one", "three", "two", "seven", "five"]
    got = rc.analysis.unit_activity(random_model, words)
    traces = rc.decoding.teacher_forced(random_model, words)
    last = rc.forward_step(random_model.params, random_model.vocab.id("five"), traces[-1].h)
    np.testing.assert_allclose(got.h, [tr.h for tr in traces] + [last.h], rtol=1e-13, atol=1e-15)


def test_a_char_model_reads_every_character_of_the_text():
    corpus = rc.make_corpus("ab ba\nab", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=5, embed_dim=3, seed=1))
    got = rc.analysis.unit_activity(model, "ab ba\nab")
    assert got.tokens == tuple("ab ba\nab")
    assert got.h.shape == (8, 5) and got.h.dtype == np.float64
    assert np.all(np.abs(got.h) < 1)


def dead_units_model(active: int) -> rc.Model:
    """H = 3 where only unit ``active`` has weights; the other two stay exactly 0 (std 0, a tie)."""
    W_x, W_h, b_h = np.zeros((3, 2)), np.zeros((3, 3)), np.zeros(3)
    W_x[active] = [1.0, -1.0]
    W_h[active, active] = 0.5
    params = rc.Params(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), W_x, W_h, b_h, np.zeros((3, 3)), np.zeros(3))
    return rc.Model(params, rc.Vocab(("a", "b", rc.EOS)), "char", rc.TrainConfig(hidden_size=3, embed_dim=2))


@pytest.mark.parametrize("active, order", [(0, (0, 1, 2)), (1, (1, 0, 2)), (2, (2, 0, 1))])
def test_units_are_ordered_by_spread_with_ties_in_index_order(active, order):
    got = rc.analysis.unit_activity(dead_units_model(active), "abba")
    assert got.std[active] > 0.3
    assert np.all(np.delete(got.std, active) == 0)
    assert got.order == order


def test_a_single_token_gives_one_row_and_no_spread(tiny_model):
    got = rc.analysis.unit_activity(tiny_model, ["a"])
    np.testing.assert_allclose(got.h, [[0.6, -0.8]], atol=1e-15)
    assert np.all(got.std == 0) and got.order == (0, 1)


@pytest.mark.parametrize("text, error, words", [
    ("", rc.VocabularyError, "empty"),
    ("abz", rc.VocabularyError, "'z' is not in the vocabulary"),
    ("a" * (MAX_TEXT_TOKENS + 1), rc.ConfigError, f"limit is {MAX_TEXT_TOKENS:,}"),
])
def test_a_bad_text_is_refused_with_a_message(text, error, words):
    with pytest.raises(error, match=words):
        rc.analysis.unit_activity(dead_units_model(0), text)
