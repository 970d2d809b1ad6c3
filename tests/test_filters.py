"""The sampling distribution: repetition penalty, temperature, top-k, top-p, min-p and typical-p,
alone and chained, against distributions written down by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core import filters
from rnn_core.filters import penalise

# y = [0.1, 0.4, 0.2, 0.3]: the logits are its logs, so T = 1 gives y back.
Y = [0.1, 0.4, 0.2, 0.3]
LOGITS = np.log(np.array(Y))
# Its entropy H = -(0.1 ln 0.1 + 0.4 ln 0.4 + 0.2 ln 0.2 + 0.3 ln 0.3) = 1.27985; the surprisals
# -ln y are 2.3026, 0.9163, 1.6094, 1.2040, so |surprisal - H| = 1.0227, 0.3636, 0.3296, 0.0759:
# from most to least typical the tokens are 3 (0.3), 2 (0.2), 1 (0.4), 0 (0.1).


def dist(**knobs) -> rc.decoding.Distribution:
    return rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", **knobs))


def only(kept: list[int], weights: list[float]) -> list[float]:
    """The distribution over 4 tokens with ``weights`` on ``kept`` (renormalised), 0 elsewhere."""
    total = sum(weights)
    q = [0.0] * 4
    for i, w in zip(kept, weights):
        q[i] = w / total
    return q


@pytest.mark.parametrize("min_p, kept", [
    (0.25, [0, 1, 2, 3]),  # threshold 0.25 * 0.4 = 0.1: every token reaches it
    (0.5, [1, 2, 3]),  # threshold 0.2: 0.2 reaches it exactly
    (0.6, [1, 3]),  # threshold 0.24
    (1.0, [1]),  # only the most probable
])
def test_min_p_keeps_tokens_with_at_least_min_p_times_the_top_probability(min_p, kept):
    d = dist(min_p=min_p)
    assert d.kept.tolist() == kept
    np.testing.assert_allclose(d.q, only(kept, [Y[i] for i in kept]), rtol=1e-12)


@pytest.mark.parametrize("mass, kept", [
    (0.3, [3]),  # the most typical token alone has 0.3
    (0.45, [2, 3]),  # 0.3 + 0.2 = 0.5
    (0.5, [2, 3]),  # reaches 0.5 exactly
    (0.6, [1, 2, 3]),  # + 0.4 = 0.9
    (0.95, [0, 1, 2, 3]),
])
def test_typical_p_keeps_the_tokens_whose_surprisal_is_closest_to_the_entropy(mass, kept):
    d = dist(typical_p=mass)
    assert d.kept.tolist() == kept
    np.testing.assert_allclose(d.q, only(kept, [Y[i] for i in kept]), rtol=1e-12)


def test_typical_p_can_drop_the_most_probable_token():
    q = dist(typical_p=0.45).q
    assert q[1] == 0.0 and Y[1] == max(Y)
    np.testing.assert_allclose(q, [0.0, 0.0, 0.4, 0.6], rtol=1e-12)


def test_repetition_penalty_divides_positive_logits_and_multiplies_negative_ones():
    o = np.array([2.0, -1.0, 0.5, 0.0, 3.0])
    got = penalise(o, np.array([0, 1, 3]), 2.0)
    assert got.tolist() == [1.0, -2.0, 0.5, 0.0, 3.0]  # 0.5 and 3.0 are not in the context
    assert o.tolist() == [2.0, -1.0, 0.5, 0.0, 3.0]  # the trace's logits are left alone
    d = rc.decoding.sampling_distribution(o, rc.Rule("sample", repetition_penalty=2.0), context=[3, 0, 1, 0])
    e = [math.exp(z) for z in (1.0, -2.0, 0.5, 0.0, 3.0)]
    np.testing.assert_allclose(d.q, [z / sum(e) for z in e], rtol=1e-12)
    assert d.penalised.tolist() == [0, 1, 3]  # each context token once, in vocabulary order
    assert d.stages == ()


def test_temperature_then_min_p():
    # T = 0.5 squares and renormalises: [1, 16, 4, 9] / 30; min-p 0.5 needs 8/30: ids 1 and 3
    d = dist(temperature=0.5, min_p=0.5)
    assert d.kept.tolist() == [1, 3]
    np.testing.assert_allclose(d.q, [0.0, 16 / 25, 0.0, 9 / 25], rtol=1e-12)


def test_top_p_after_top_k_measures_mass_within_the_top_k_set():
    # top-k 2 keeps [0.4, 0.3], renormalised [4/7, 3/7]; 4/7 = 0.571 reaches 0.55 alone, while 0.4
    # of the original mass would not (it would keep both)
    d = dist(top_k=2, top_p=0.55)
    assert [(s.name, s.kept.tolist()) for s in d.stages] == [("top-k", [1, 3]), ("top-p", [1])]
    np.testing.assert_allclose(d.q, [0.0, 1.0, 0.0, 0.0])


def test_typical_after_top_k_uses_the_entropy_of_what_top_k_kept():
    # after top-k 2: p = [4/7, 3/7], H = 0.6829; surprisals 0.5596 and 0.8473, so token 1 (off by
    # 0.123) is more typical than token 3 (off by 0.164) and alone reaches mass 0.5; typical-p 0.5 on
    # the whole y would keep tokens 2 and 3 instead
    assert dist(top_k=2, typical_p=0.5).kept.tolist() == [1]
    assert dist(typical_p=0.5).kept.tolist() == [2, 3]


def test_every_stage_is_recorded_in_order_even_when_it_cuts_nothing():
    # top-k 3: ids 1, 2, 3 -> [4, 2, 3] / 9; top-p 0.8: 4/9 + 3/9 = 0.78 < 0.8, so all three stay;
    # min-p 0.6: 0.6 * 4/9 = 0.267 drops 2/9
    d = dist(top_k=3, top_p=0.8, min_p=0.6)
    assert [(s.name, s.kept.tolist()) for s in d.stages] == [("top-k", [1, 2, 3]), ("top-p", [1, 2, 3]),
                                                            ("min-p", [1, 3])]
    np.testing.assert_allclose(d.q, [0.0, 4 / 7, 0.0, 3 / 7], rtol=1e-12)


def test_ties_are_cut_in_vocabulary_order():
    flat = np.zeros(4)
    assert rc.decoding.sampling_distribution(flat, rc.Rule("sample", top_k=2)).kept.tolist() == [0, 1]
    assert rc.decoding.sampling_distribution(flat, rc.Rule("sample", top_p=0.5)).kept.tolist() == [0, 1]
    assert rc.decoding.sampling_distribution(flat, rc.Rule("sample", min_p=1.0)).kept.tolist() == [0, 1, 2, 3]


def test_a_tiny_temperature_leaves_the_filters_only_the_argmax():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for knobs in ({}, {"top_p": 0.5}, {"min_p": 0.5}, {"typical_p": 0.5}, {"top_k": 3}):
            q = rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", temperature=1e-310, **knobs)).q
            assert q.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_with_nothing_to_change_q_is_y_itself_not_a_copy():
    probs = rc.softmax(LOGITS)
    for rule in (rc.Rule("sample"), rc.Rule("sample", top_k=4), rc.Rule("sample", min_p=0.1)):
        assert rc.decoding.sampling_distribution(LOGITS, rule, probs=probs).q is probs
    # a temperature changes y: then q is new
    assert rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", temperature=2), probs=probs).q is not probs


def by_probability(y: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The definition: ``ids`` from the most probable down, equal probabilities in vocabulary order."""
    return ids[np.argsort(-y[ids], kind="stable")]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_top_k_and_top_p_keep_the_sets_their_definitions_give_with_ties(dtype):
    """Random distributions full of equal values, over all ids or a subset: the kept sets are
    the first k, or the shortest prefix reaching p, of the ids sorted by probability."""
    rng = np.random.default_rng(11)
    for _ in range(300):
        V = int(rng.integers(1, 30))
        y = rng.choice([0.0, 1.0, 2.0, rng.random()], size=V).astype(dtype)
        y[rng.integers(V)] += 1
        y /= y.sum()
        ids = np.flatnonzero(rng.random(V) < 0.8).astype(np.int32) if rng.random() < 0.5 else np.arange(V)
        if not len(ids):
            continue
        order = by_probability(y, ids)
        for k in range(1, len(ids) + 2):
            np.testing.assert_array_equal(filters.keep_top_k(y, ids, k), np.sort(order[:k]))
        for p in (0.01, 0.3, 0.5, 0.9, 1.0, float(np.cumsum(y[order])[len(ids) // 2])):
            n = int(np.searchsorted(np.cumsum(y[order]), p * (1 - filters.TOLERANCE))) + 1
            np.testing.assert_array_equal(filters.keep_top_p(y, ids, p), np.sort(order[:n]))
