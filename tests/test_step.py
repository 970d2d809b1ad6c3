"""One forward step against numbers computed by hand, with scalar arithmetic only."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc


def matvec(M, v):
    """M v with explicit sums of products (no numpy), M as nested lists."""
    return [sum(M[i][j] * v[j] for j in range(len(v))) for i in range(len(M))]


def softmax_by_hand(o):
    m = max(o)
    e = [math.exp(z - m) for z in o]
    return [z / sum(e) for z in e]


def test_seed_preset_embeds_I_as_the_seed_documents_x1():
    model = rc.seed_model()
    assert model.params.embedding[model.vocab.id("I")].tolist() == [0.1, 0.3, 0.5]
    assert model.vocab.tokens == ("I", "love", "deep", "learning", "</s>")


def test_seed_first_step_matches_hand_computation():
    model = rc.seed_model()
    p = {k: v.tolist() for k, v in model.params.as_dict().items()}
    x1 = [0.1, 0.3, 0.5]
    W_x, b_h, W_y, b_y = p["W_x"], p["b_h"], p["W_y"], p["b_y"]
    # h_0 = 0, so the W_h term vanishes (the seed's Step 3)
    Wx_x = [W_x[i][0] * x1[0] + W_x[i][1] * x1[1] + W_x[i][2] * x1[2] for i in range(3)]
    a = [Wx_x[i] + b_h[i] for i in range(3)]
    h1 = [math.tanh(z) for z in a]
    o1 = [W_y[v][0] * h1[0] + W_y[v][1] * h1[1] + W_y[v][2] * h1[2] + b_y[v] for v in range(5)]
    y1 = softmax_by_hand(o1)

    f = rc.forward_step(model.params, model.vocab.id("I"), np.zeros(3))
    trace = rc.generate(model, "I", rc.GREEDY, max_tokens=1)[0]
    for got in (f, trace):
        assert got.x.tolist() == x1
        assert got.Wh_h.tolist() == [0.0, 0.0, 0.0]
        assert got.h_prev.tolist() == [0.0, 0.0, 0.0]
        np.testing.assert_allclose(got.Wx_x, Wx_x, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(got.a, a, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(got.h, h1, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(got.logits, o1, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(got.probs, y1, rtol=1e-13, atol=1e-15)
    assert trace.input == "I" and trace.t == 1
    assert trace.token == model.vocab.tokens[max(range(5), key=lambda v: y1[v])]
    assert trace.how == "greedy"


def test_hand_weights_give_exact_numbers(tiny_model):
    # a_1 = [ln 2, -ln 3]: tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6, tanh(-ln 3) = -(3 - 1/3) / (3 + 1/3) = -0.8
    f1 = rc.forward_step(tiny_model.params, 0, np.zeros(2))
    np.testing.assert_allclose(f1.Wx_x, [math.log(2), 0.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(f1.h, [0.6, -0.8], rtol=0, atol=1e-15)
    np.testing.assert_allclose(f1.logits, [3.0, -4.0, 0.0], rtol=0, atol=1e-14)
    Z = math.exp(3) + math.exp(-4) + 1
    np.testing.assert_allclose(f1.probs, [math.exp(3) / Z, math.exp(-4) / Z, 1 / Z], rtol=1e-14)
    # step 2 feeds 'a' again: W_h h_1 = [[0, -1], [1, 0]] [0.6, -0.8] = [0.8, 0.6]
    f2 = rc.forward_step(tiny_model.params, 0, f1.h)
    np.testing.assert_allclose(f2.Wh_h, [0.8, 0.6], rtol=0, atol=1e-15)
    np.testing.assert_allclose(f2.a, [math.log(2) + 0.8, 0.6 - math.log(3)], rtol=0, atol=1e-15)
    np.testing.assert_allclose(f2.h, [math.tanh(math.log(2) + 0.8), math.tanh(0.6 - math.log(3))], rtol=1e-15)


def test_trace_terms_add_up_to_the_pre_activation(trained_seed):
    for tr in rc.generate(trained_seed, "I"):
        np.testing.assert_allclose(tr.Wx_x + tr.Wh_h + tr.b_h, tr.a, rtol=0, atol=1e-15)


@pytest.mark.parametrize("logits", [
    [1e308, -1e308, 0.0],
    [np.inf, 0.0, -np.inf],
    [-np.inf, -np.inf, -np.inf],
    [1e308, 1e308, 1e308],
    [-1e308, -1e308, 5.0],
    [1000.0, -1000.0, 0.0],
    [1e-300, 2e-300, 0.0],
])
def test_softmax_is_finite_and_sums_to_one_for_extreme_logits(logits):
    for dtype in (np.float64, np.float32):
        with np.errstate(over="ignore"):  # in float32, 1e308 becomes inf: also a case to handle
            o = np.array(logits, dtype=dtype)
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # none may leak out
            y = rc.softmax(o)
        assert y.dtype == dtype
        assert np.isfinite(y).all() and (y >= 0).all()
        assert abs(float(y.sum()) - 1) < 1e-6


def test_softmax_of_extremes_puts_the_mass_where_it_belongs():
    np.testing.assert_array_equal(rc.softmax(np.array([1e308, -1e308, 0.0])), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(rc.softmax(np.array([np.inf, 1.0, np.inf])), [0.5, 0.0, 0.5])
    np.testing.assert_allclose(rc.softmax(np.array([-np.inf] * 4)), [0.25] * 4)
    np.testing.assert_allclose(rc.softmax(np.array([0.0, math.log(3)])), [0.25, 0.75], rtol=1e-15)


def test_softmax_works_row_by_row_on_batches():
    o = np.array([[0.0, math.log(3)], [1e308, 0.0]])
    np.testing.assert_allclose(rc.softmax(o), [[0.25, 0.75], [1.0, 0.0]], rtol=1e-15)


def test_softmax_with_a_temperature_by_hand():
    # T = 0.5 squares e^o: o = [0, ln 2, ln 3] gives [1, 4, 9] / 14; T = 2 takes square roots
    np.testing.assert_allclose(rc.softmax(np.array([0.0, math.log(2), math.log(3)]), 0.5), [1 / 14, 4 / 14, 9 / 14],
                               rtol=1e-14)
    np.testing.assert_allclose(rc.softmax(np.array([0.0, math.log(4)]), 2.0), [1 / 3, 2 / 3], rtol=1e-14)
    o = np.array([0.3, -1.2, 2.5])
    np.testing.assert_array_equal(rc.softmax(o, 1.0), rc.softmax(o))


@pytest.mark.parametrize("logits, T, expected", [
    ([1.0, 3.0, 2.0], 1e-310, [0.0, 1.0, 0.0]),  # o / T would overflow: the argmax
    ([3.0, 1.0, 3.0], 1e-310, [0.5, 0.0, 0.5]),  # ties split evenly among the maxima
    ([1e308, -1e308, 0.0], 1e-300, [1.0, 0.0, 0.0]),
    ([1e308, -1e308, 0.0], 5.0, [1.0, 0.0, 0.0]),  # o_max - o_v overflows to inf: exp(-inf) = 0
    ([-1e308, -1e308, -1e308], 1e-300, [1 / 3, 1 / 3, 1 / 3]),
    ([np.inf, 0.0, np.inf], 0.01, [0.5, 0.0, 0.5]),
    ([1.0, 3.0, 3.0], 0, [0.0, 0.5, 0.5]),  # T = 0: the limit itself
])
def test_a_tiny_temperature_gives_the_argmax_stably_without_warnings(logits, T, expected):
    for dtype in (np.float64, np.float32):
        with np.errstate(over="ignore"):  # in float32, 1e308 becomes inf: also a case to handle
            o = np.array(logits, dtype=dtype)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = rc.softmax(o, T)
        assert y.dtype == dtype
        np.testing.assert_allclose(y, expected, rtol=1e-6, atol=0)


def test_a_moderate_temperature_on_extreme_logits_matches_the_shifted_formula():
    # o = [1000, 999, 0], T = 0.5: e^{(o - 1000) / 0.5} = [1, e^-2, e^-2000 = 0]
    y = rc.softmax(np.array([1000.0, 999.0, 0.0]), 0.5)
    np.testing.assert_allclose(y, [1 / (1 + math.exp(-2)), math.exp(-2) / (1 + math.exp(-2)), 0.0], rtol=1e-14)


def test_a_tiny_temperature_still_separates_a_near_tie():
    # (o - max) / T = -1e-12 / 1e-310 = -1e298: the runner-up gets exactly 0
    assert rc.softmax(np.array([2.0, 2.0 - 1e-12, 0.0]), 1e-310).tolist() == [1.0, 0.0, 0.0]
