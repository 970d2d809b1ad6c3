"""Backprop through time against centred finite differences of an independent, loop-by-loop loss.

The reference loss below re-derives the model from the seed's equations one token at a time
(no batching, no shared code with rnn_core.bptt), so a wrong gradient and a wrong forward pass
cannot cancel out. Relative error: max|a - b| / max(1e-8, max|a| + max|b|) over a whole array,
which is ~1e-9 for a correct gradient in float64 and O(1) for a wrong one.
"""

import numpy as np
import pytest

from rnn_core.bptt import GROUP_LOOP_ROWS, cross_entropy, forward_seq, loss_and_grads
from rnn_core.optim import SGD, Adagrad, Adam, clip_by_global_norm, global_norm
from rnn_core.params import NAMES, Params, init_params

EPS = 1e-6
TOL = 1e-6


def reference_loss(p: dict, X, Y, mask, h0, bump=None) -> float:
    """Mean masked cross-entropy, one token at a time, straight from the seed's equations.

    ``bump`` = (t, b, delta): add delta (H,) to h_t of sequence b right after computing it
    (t = 1..T), so the finite difference over delta is dLoss/dh_t.
    """
    T, B = X.shape
    total = 0.0
    for b in range(B):
        h = h0[b].copy()
        for t in range(T):
            x = p["embedding"][X[t, b]]
            h = np.tanh(p["W_x"] @ x + p["W_h"] @ h + p["b_h"])
            if bump is not None and bump[0] == t + 1 and bump[1] == b:
                h = h + bump[2]
            o = p["W_y"] @ h + p["b_y"]
            log_y = o - o.max() - np.log(np.exp(o - o.max()).sum())
            total += -log_y[Y[t, b]] * mask[t, b]
    return total / mask.sum()


def numeric_grad(f, a: np.ndarray) -> np.ndarray:
    """Centred differences of f() with respect to every entry of ``a`` (perturbed in place)."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + EPS
        up = f()
        a[i] = old - EPS
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * EPS)
    return g


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a)) + np.max(np.abs(b))))


def random_params(V, E, H, seed) -> Params:
    """Initial weights with nonzero biases and larger scales, so every term matters."""
    rng = np.random.default_rng(seed)
    p = init_params(V, E, H, rng)
    return Params(
        embedding=p.embedding, W_x=p.W_x * 1.5, W_h=p.W_h * 1.5,
        b_h=0.3 * rng.standard_normal(H), W_y=p.W_y * 2, b_y=0.3 * rng.standard_normal(V),
    )


def word_batch():
    """Two padded sentences (lengths 6 and 3 targets), time-major (T=6, B=2) with a mask.
    Padding uses token 4, which no real position uses: its embedding must get no gradient."""
    X = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [1, 4], [2, 4]])
    Y = np.array([[1, 2], [2, 3], [3, 0], [1, 0], [2, 0], [0, 0]])
    mask = np.array([[1, 1], [1, 1], [1, 1], [1, 0], [1, 0], [1, 0]], float)
    return X, Y, mask, np.zeros((2, 4))


def char_chunk():
    """A truncated-BPTT chunk (T=6, B=2, no padding) starting from a carried, nonzero h_0."""
    rng = np.random.default_rng(7)
    X = rng.integers(0, 5, (6, 2))
    Y = rng.integers(0, 5, (6, 2))
    return X, Y, np.ones((6, 2)), 0.8 * np.tanh(rng.standard_normal((2, 4)))


CASES = {"word": (word_batch, 4), "char": (char_chunk, 3)}  # (batch maker, E)


@pytest.mark.parametrize("level", ["word", "char"])
def test_forward_loss_matches_reference(level):
    make, E = CASES[level]
    X, Y, mask, h0 = make()
    p = random_params(5, E, 4, 1)
    fwd = forward_seq(p, X, h0)
    assert cross_entropy(fwd, Y, mask) == pytest.approx(reference_loss(p.as_dict(), X, Y, mask, h0), rel=1e-12)


@pytest.mark.parametrize("level", ["word", "char"])
@pytest.mark.parametrize("name", NAMES)
def test_parameter_gradient_matches_finite_differences(level, name):
    make, E = CASES[level]
    X, Y, mask, h0 = make()
    p = random_params(5, E, 4, 2)
    _, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    d = {k: v.copy() for k, v in p.as_dict().items()}
    numeric = numeric_grad(lambda: reference_loss(d, X, Y, mask, h0), d[name])
    assert np.abs(numeric).max() > 1e-4  # the check is not vacuous
    assert rel_error(getattr(grads.params, name), numeric) < TOL


def test_padding_token_embedding_gets_no_gradient():
    X, Y, mask, h0 = word_batch()
    _, grads, _ = loss_and_grads(random_params(5, 4, 4, 3), X, Y, mask, h0)
    assert np.array_equal(grads.params.embedding[4], np.zeros(4))


@pytest.mark.parametrize("level", ["word", "char"])
def test_h0_gradient_matches_finite_differences(level):
    make, E = CASES[level]
    X, Y, mask, h0 = make()
    p = random_params(5, E, 4, 4)
    _, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    h = h0.copy()
    numeric = numeric_grad(lambda: reference_loss(p.as_dict(), X, Y, mask, h), h)
    assert np.abs(numeric).max() > 1e-4
    assert rel_error(grads.dh0, numeric) < TOL


@pytest.mark.parametrize("level", ["word", "char"])
def test_dh_norms_are_norms_of_dloss_dh_t(level):
    """dh_norms[t-1] = mean over the batch of ||dLoss/dh_t||, dLoss/dh_t by finite differences
    of a bump added to h_t (so it counts every later path: o_t, and h_{t+1} onwards)."""
    make, E = CASES[level]
    X, Y, mask, h0 = make()
    T, B = X.shape
    p = random_params(5, E, 4, 5)
    _, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    expected = np.zeros(T)
    for t in range(1, T + 1):
        for b in range(B):
            delta = np.zeros(4)
            g = numeric_grad(lambda: reference_loss(p.as_dict(), X, Y, mask, h0, (t, b, delta)), delta)
            expected[t - 1] += np.linalg.norm(g) / B
    assert grads.dh_norms.shape == (T,)
    assert rel_error(grads.dh_norms, expected) < TOL
    if level == "word":  # after sentence 2 ends its h_t no longer matters: only sentence 1 counts
        assert expected[-1] > 0


def test_float32_gradients_close_to_float64():
    X, Y, mask, h0 = char_chunk()
    p = random_params(5, 3, 4, 6)
    _, g64, _ = loss_and_grads(p, X, Y, mask, h0)
    _, g32, _ = loss_and_grads(p.astype(np.float32), X, Y, mask, h0.astype(np.float32))
    for name in NAMES:
        assert getattr(g32.params, name).dtype == np.float32
        assert rel_error(getattr(g32.params, name), getattr(g64.params, name)) < 1e-5


def grads_with_norm(norm: float) -> Params:
    rng = np.random.default_rng(8)
    p = random_params(5, 3, 4, 8)
    g = Params(**{k: rng.standard_normal(v.shape) for k, v in p.as_dict().items()})
    scale = norm / np.sqrt(sum((v**2).sum() for v in g.as_dict().values()))
    return Params(**{k: v * scale for k, v in g.as_dict().items()})


def test_clip_scales_large_gradients_to_the_given_norm():
    g = grads_with_norm(12.0)
    clipped = clip_by_global_norm(g, 5.0)
    norm = np.sqrt(sum((v**2).sum() for v in clipped.as_dict().values()))
    assert norm == pytest.approx(5.0, rel=1e-12)
    for name in NAMES:  # same direction: every entry scaled by 5/12
        np.testing.assert_allclose(getattr(clipped, name), getattr(g, name) * (5 / 12), rtol=1e-12)
    assert global_norm(g) == pytest.approx(12.0, rel=1e-12)


@pytest.mark.parametrize("max_norm", [5.0, 0.0])
def test_clip_leaves_small_gradients_and_clip_off_alone(max_norm):
    g = grads_with_norm(3.0 if max_norm else 1e6)
    clipped = clip_by_global_norm(g, max_norm)
    for name in NAMES:
        assert np.array_equal(getattr(clipped, name), getattr(g, name))


def test_optimizer_steps_match_textbook_formulas():
    """Three updates of each optimizer against the formulas written out here."""
    p = random_params(5, 3, 4, 9)
    gs = [grads_with_norm(n) for n in (1.0, 2.0, 0.5)]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    for opt_cls in (SGD, Adam, Adagrad):
        opt, got = opt_cls(lr), p
        for g in gs:
            got = opt.step(got, g)
        for name in NAMES:
            w, m, v, G = getattr(p, name).copy(), 0.0, 0.0, 0.0
            for t, g in enumerate(gs, 1):
                gk = getattr(g, name)
                if opt_cls is SGD:
                    w = w - lr * gk
                elif opt_cls is Adagrad:
                    G = G + gk**2
                    w = w - lr * gk / (np.sqrt(G) + eps)
                else:
                    m, v = b1 * m + (1 - b1) * gk, b2 * v + (1 - b2) * gk**2
                    w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            np.testing.assert_allclose(getattr(got, name), w, rtol=1e-12, atol=1e-15,
                                       err_msg=f"{opt_cls.__name__} {name}")


def test_optimizer_step_leaves_old_params_unchanged():
    p = random_params(5, 3, 4, 10)
    before = p.copy()
    for opt_cls in (SGD, Adam, Adagrad):
        opt_cls(0.1).step(p, grads_with_norm(1.0))
        for name in NAMES:
            assert np.array_equal(getattr(p, name), getattr(before, name))


@pytest.mark.parametrize("name", NAMES)
def test_gradients_of_a_large_batch_match_finite_differences(name):
    """H = 131 and T*B = 160 (every product longer than a BLAS block), and so few tokens that
    each is the input of far more than GROUP_LOOP_ROWS positions; 6 random entries per array."""
    V, E, H, T, B = 7, 5, 131, 20, 8
    assert T * B >= GROUP_LOOP_ROWS * V
    rng = np.random.default_rng(13)
    p = init_params(V, E, H, rng)
    X, Y = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    mask = (rng.random((T, B)) < 0.8).astype(float)
    h0 = 0.5 * np.tanh(rng.standard_normal((B, H)))
    _, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    d = {k: v.copy() for k, v in p.as_dict().items()}
    a, got = d[name], getattr(grads.params, name)
    for i in rng.choice(a.size, 6, replace=False):
        idx = np.unravel_index(i, a.shape)
        old = a[idx]
        a[idx] = old + EPS
        up = reference_loss(d, X, Y, mask, h0)
        a[idx] = old - EPS
        down = reference_loss(d, X, Y, mask, h0)
        a[idx] = old
        numeric = (up - down) / (2 * EPS)
        assert abs(got[idx] - numeric) < 1e-7 * max(1.0, np.abs(got).max()), (name, idx)
