"""Influence of past tokens and the reach of the gradient, against centred finite differences of an
independent, one-position-at-a-time forward pass (no code shared with rnn_core), and the
vanishing/exploding what-if against a model whose gradients can be written down exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.gradients import MAX_POSITIONS

EPS = 1e-6
TOL = 1e-7


def rel_error(a, b) -> np.ndarray:
    """Entry by entry: |a - b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def log_y(p: rc.Params, ids, t: int, xs=None, bump=None) -> float:
    """log y_t[ids[t]] straight from the seed's equations, h_0 = 0, inputs ids[0..t-1].

    ``xs``: {s: x} replaces the input vector at position s (1-based); ``bump``: (s, delta) adds
    delta to h_s right after computing it.
    """
    h = np.zeros(p.W_h.shape[0])
    for s in range(1, t + 1):
        x = (xs or {}).get(s, p.embedding[ids[s - 1]])
        h = np.tanh(p.W_x @ x + p.W_h @ h + p.b_h)
        if bump is not None and bump[0] == s:
            h = h + bump[1]
    o = p.W_y @ h + p.b_y
    return float(o[ids[t]] - o.max() - np.log(np.exp(o - o.max()).sum()))


def numeric_grad(f, n: int) -> np.ndarray:
    """Centred differences of f(delta) at delta = 0 for each of the n coordinates."""
    g = np.zeros(n)
    for i in range(n):
        e = np.zeros(n)
        e[i] = EPS
        g[i] = (f(e) - f(-e)) / (2 * EPS)
    return g


def small_model(seed=0, V=5, E=3, H=4) -> rc.Model:
    """A random float64 model with nonzero biases, weights large enough that tanh bends."""
    rng = np.random.default_rng(seed)
    params = rc.Params(
        embedding=rng.standard_normal((V, E)),
        W_x=rng.standard_normal((H, E)) * 0.8,
        W_h=rng.standard_normal((H, H)) * 0.6,
        b_h=rng.standard_normal(H) * 0.3,
        W_y=rng.standard_normal((V, H)) * 1.5,
        b_y=rng.standard_normal(V) * 0.3,
    )
    vocab = rc.Vocab(tuple("abcd") + (rc.EOS,))
    return rc.Model(params, vocab, "char", rc.TrainConfig(hidden_size=H, embed_dim=E))


TOKENS = list("abcadb") + [rc.EOS]  # T = 6 positions


def fd_norms(model, tokens, wrt) -> np.ndarray:
    """(T, T) norms of d log y_t[w_t] / d x_s (or h_s) by centred differences, every (t, s)."""
    p, ids = model.params, model.vocab.encode(tokens)
    T = len(ids) - 1
    out = np.zeros((T, T))
    for t in range(1, T + 1):
        for s in range(1, T + 1):
            if wrt == "x":
                x0 = p.embedding[ids[s - 1]]
                g = numeric_grad(lambda d: log_y(p, ids, t, xs={s: x0 + d}), len(x0))
            else:
                g = numeric_grad(lambda d: log_y(p, ids, t, bump=(s, d)), p.W_h.shape[0])
            out[t - 1, s - 1] = np.linalg.norm(g)
    return out


@pytest.mark.parametrize("wrt", ["x", "h"])
def test_influence_matches_finite_differences_for_every_t_and_s(wrt):
    model = small_model()
    got = rc.analysis.influence(model, TOKENS, wrt=wrt)
    expected = fd_norms(model, TOKENS, wrt)
    assert got.norms.shape == (6, 6)
    below = np.tril_indices(6)
    assert expected[below].min() > 1e-3  # every entry is a real gradient, not rounding noise
    assert rel_error(got.norms, expected).max() < TOL


def test_influence_is_zero_where_the_input_comes_after_the_prediction():
    got = rc.analysis.influence(small_model(), TOKENS)
    assert np.all(got.norms[np.triu_indices(6, k=1)] == 0)
    assert np.all(got.norms[np.tril_indices(6)] > 0)


def test_influence_names_inputs_on_columns_and_predictions_on_rows():
    got = rc.analysis.influence(small_model(), TOKENS)
    assert got.inputs == tuple("abcadb")
    assert got.predicted == tuple("bcadb") + (rc.EOS,)
    assert got.wrt == "x"
    p, ids = small_model().params, small_model().vocab.encode(TOKENS)
    expected = [log_y(p, ids, t) for t in range(1, 7)]
    np.testing.assert_allclose(got.log_probs, expected, rtol=1e-12)


def test_influence_of_a_float32_model_is_computed_in_float64():
    model = small_model()
    f32 = rc.Model(model.params.astype("float32"), model.vocab, "char", model.config)
    got = rc.analysis.influence(f32, TOKENS)
    assert got.norms.dtype == np.float64
    expected = rc.analysis.influence(rc.Model(f32.params.astype("float64"), model.vocab, "char", model.config), TOKENS)
    np.testing.assert_array_equal(got.norms, expected.norms)


def test_influence_of_a_generated_path_uses_its_first_input_and_chosen_tokens(random_model):
    traces = rc.generate(random_model, ["one", "two"], rc.GREEDY, max_tokens=4)
    tokens = rc.analysis.path_tokens(traces)
    assert tokens == [traces[0].input] + [tr.token for tr in traces]
    got = rc.analysis.influence(random_model, tokens)
    assert got.inputs == tuple(tr.input for tr in traces)
    assert got.predicted == tuple(tr.token for tr in traces)
    np.testing.assert_allclose(got.log_probs, [math.log(tr.p_token) for tr in traces], rtol=1e-12)


def test_influence_accepts_text_tokenized_at_the_models_level():
    model = small_model()
    as_text, as_tokens = rc.analysis.influence(model, "abca"), rc.analysis.influence(model, list("abca"))
    np.testing.assert_array_equal(as_text.norms, as_tokens.norms)


@pytest.mark.parametrize("tokens, error, words", [
    (["a"], rc.VocabularyError, "at least two tokens"),
    ("", rc.VocabularyError, "empty"),
    (["a", "z"], rc.VocabularyError, "'z' is not in the vocabulary"),
    (["a"] * (MAX_POSITIONS + 2), rc.ConfigError, f"limit is {MAX_POSITIONS + 1:,}"),  # tokens: positions + 1
])
def test_influence_refuses_bad_sequences_with_a_message(tokens, error, words):
    with pytest.raises(error, match=words):
        rc.analysis.influence(small_model(), tokens)


def test_influence_refuses_an_unknown_wrt():
    with pytest.raises(rc.ConfigError, match="wrt must be 'x' or 'h'"):
        rc.analysis.influence(small_model(), TOKENS, wrt="W_h")


def test_path_tokens_of_an_empty_path_is_refused():
    with pytest.raises(rc.ConfigError, match="path is empty"):
        rc.analysis.path_tokens([])


def test_gradient_reach_matches_finite_differences_of_the_step_loss():
    model = small_model(seed=1)
    got = rc.analysis.gradient_reach(model, TOKENS)
    p, ids = model.params, model.vocab.encode(TOKENS)
    for t in range(1, 7):
        # L_t = -log y_t[target_t]; h_{t-k} bumped by delta
        expected = [
            np.linalg.norm(numeric_grad(lambda d: -log_y(p, ids, t, bump=(t - k, d)), 4)) for k in range(t)
        ]
        assert rel_error(got.curve(t), expected).max() < TOL
        assert np.all(np.isnan(got.by_k[t - 1, t:]))
    np.testing.assert_allclose(got.losses, [-log_y(p, ids, t) for t in range(1, 7)], rtol=1e-12)
    assert got.inputs == tuple("abcadb") and got.targets[-1] == rc.EOS


def test_gradient_reach_curve_refuses_a_step_outside_the_sequence():
    got = rc.analysis.gradient_reach(small_model(), TOKENS)
    with pytest.raises(rc.ConfigError, match="from 1 to 6"):
        got.curve(7)


def memory_line_model(c: float) -> rc.Model:
    """H = 2, W_h = c [[0, 1], [0, 1]]: eigenvalues 0 and c, so the spectral radius is c.

    Unit 2 gets no input and no bias and starts at h_0 = 0, so it stays 0; then W_h h = 0 and the
    states do not depend on c. Backwards, dL/dh_{s-1} = W_h^T dL/da_s = c [0, dA_1 + dA_2], and on
    unit 2 (where 1 - h^2 = 1) each further step multiplies by c alone:
        ||dL_t/dh_{t-k}|| = c^k |dA_1 + dA_2|  for k >= 1,   dA = dL_t/da_t.
    """
    params = rc.Params(
        embedding=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        W_x=np.array([[0.9, -0.7], [0.0, 0.0]]),
        W_h=c * np.array([[0.0, 1.0], [0.0, 1.0]]),
        b_h=np.array([0.2, 0.0]),
        W_y=np.array([[2.0, 1.0], [-1.0, 0.5], [0.3, -2.0]]),
        b_y=np.array([0.1, 0.0, -0.1]),
    )
    return rc.Model(params, rc.Vocab(("a", "b", rc.EOS)), "char", rc.TrainConfig(hidden_size=2, embed_dim=2))


LONG = list("abbababaabbbab")  # T = 13


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_gradient_reach_of_the_memory_line_model_is_c_to_the_k(c):
    model = memory_line_model(c)
    p, ids = model.params, model.vocab.encode(LONG)
    T = len(ids) - 1
    got = rc.analysis.gradient_reach(model, LONG)
    # independent: h_T = [tanh(W_x x_T + b_h)[0], 0]; dA = (1 - h_T^2) * W_y^T (y_T - onehot)
    h = np.array([math.tanh(p.W_x[0] @ p.embedding[ids[T - 1]] + p.b_h[0]), 0.0])
    o = p.W_y @ h + p.b_y
    y = np.exp(o) / np.exp(o).sum()
    dA = (1 - h**2) * (p.W_y.T @ (y - np.eye(3)[ids[T]]))
    expected = [np.linalg.norm(p.W_y.T @ (y - np.eye(3)[ids[T]]))] + [c**k * abs(dA.sum()) for k in range(1, T)]
    np.testing.assert_allclose(got.curve(T), expected, rtol=1e-12)
    assert got.radius == pytest.approx(c, rel=1e-12)


def test_scaling_W_h_down_makes_the_gradient_decay_faster_and_up_makes_it_grow():
    curves = {c: rc.analysis.gradient_reach(memory_line_model(c), LONG).curve(13) for c in (0.5, 1.0, 2.0)}
    for c, curve in curves.items():
        np.testing.assert_allclose(curve[2:] / curve[1:-1], c, rtol=1e-12)  # ratio c per step back
    assert curves[0.5][-1] < curves[1.0][-1] < curves[2.0][-1]
    assert curves[0.5][-1] / curves[0.5][1] == pytest.approx(0.5**11, rel=1e-12)  # vanished
    assert curves[2.0][-1] / curves[2.0][1] == pytest.approx(2.0**11, rel=1e-12)  # exploded


def test_scale_W_h_gives_a_new_model_and_leaves_the_original_untouched():
    model = memory_line_model(1.0)
    before = {k: v.copy() for k, v in model.params.as_dict().items()}
    scaled = rc.analysis.scale_W_h(model, 0.5)
    for name, value in model.params.as_dict().items():
        np.testing.assert_array_equal(value, before[name])
        assert getattr(scaled.params, name) is not value
    np.testing.assert_array_equal(scaled.params.W_h, [[0.0, 0.5], [0.0, 0.5]])
    np.testing.assert_array_equal(scaled.params.W_y, model.params.W_y)
    assert scaled.vocab == model.vocab and scaled.level == model.level


@pytest.mark.parametrize("W_h, radius", [
    (0.7 * np.array([[math.cos(1.0), -math.sin(1.0)], [math.sin(1.0), math.cos(1.0)]]), 0.7),  # rotation: |eig| = 0.7
    (np.array([[0.5, 10.0], [0.0, -0.2]]), 0.5),  # triangular: eigenvalues on the diagonal, though ||W_h|| > 10
    (np.array([[0.0, 2.0], [0.5, 0.0]]), 1.0),  # eigenvalues +-1
])
def test_spectral_radius_is_the_largest_eigenvalue_modulus(W_h, radius):
    assert rc.analysis.spectral_radius(W_h) == pytest.approx(radius, rel=1e-12)


@pytest.mark.parametrize("factor", [0.0, 0.25, 1.0, 3.0])
def test_spectral_radius_scales_linearly_with_the_factor(factor):
    model = small_model(seed=4, H=6)
    radius = rc.analysis.spectral_radius(model.params.W_h)
    assert radius > 0.1
    scaled = rc.analysis.scale_W_h(model, factor).params.W_h
    assert rc.analysis.spectral_radius(scaled) == pytest.approx(factor * radius, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("factor", [-0.5, float("nan"), float("inf"), "2", True])
def test_scale_W_h_refuses_a_bad_factor(factor):
    with pytest.raises(rc.ConfigError, match="finite number >= 0"):
        rc.analysis.scale_W_h(small_model(), factor)
