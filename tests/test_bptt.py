"""Backprop through time against centred finite differences of an independent, loop-by-loop loss.

The reference loss below re-derives the model from the seed's equations one token at a time
(no batching, no shared code with rnn_core.bptt), so a wrong gradient and a wrong forward pass
cannot cancel out. Relative error: max|a - b| / max(1e-8, max|a| + max|b|) over a whole array,
which is ~1e-9 for a correct gradient in float64 and O(1) for a wrong one.
"""

import numpy as np
import pytest

from rnn_core.bptt import GROUP_LOOP_ROWS, Workspace, _Inputs, cross_entropy, forward_seq, loss_and_grads
from rnn_core.weights import NAMES, Params, init_params

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


def long_sentence_pieces():
    """One 13-target sentence of a (T=13, B=2) padded batch, cut into seq_len = 5 pieces as
    ``batches`` does: the second piece starts from the h_5 the first one ends with."""
    rng = np.random.default_rng(14)
    X, Y = rng.integers(0, 5, (13, 2)), rng.integers(0, 5, (13, 2))
    mask = np.ones((13, 2))
    mask[9:, 1] = 0  # the second sentence is shorter: padding in the later pieces
    return X, Y, mask


@pytest.mark.parametrize("name", NAMES)
def test_gradients_of_a_piece_of_a_cut_sentence_match_finite_differences(name):
    """Truncated BPTT: a later piece's gradient is that of its own loss with the carried h held
    fixed; the carried h is the one the whole sentence reaches at that point."""
    X, Y, mask = long_sentence_pieces()
    p = random_params(5, 3, 4, 15)
    h0 = np.zeros((2, 4))
    first = forward_seq(p, X[:5], h0)
    whole = forward_seq(p, X, h0)
    carried = first.hs[-1].copy()
    np.testing.assert_allclose(carried, whole.hs[5], rtol=1e-13)
    piece = (X[5:10], Y[5:10], mask[5:10])
    _, grads, _ = loss_and_grads(p, *piece, carried)
    d = {k: v.copy() for k, v in p.as_dict().items()}
    numeric = numeric_grad(lambda: reference_loss(d, *piece, carried), d[name])
    assert np.abs(numeric).max() > 1e-4
    assert rel_error(getattr(grads.params, name), numeric) < TOL
    h = carried.copy()
    numeric_h = numeric_grad(lambda: reference_loss(p.as_dict(), *piece, h), h)
    assert rel_error(grads.dh0, numeric_h) < TOL


def test_pieces_losses_add_up_to_the_whole_sentences_loss():
    X, Y, mask = long_sentence_pieces()
    p = random_params(5, 3, 4, 16)
    h, total = np.zeros((2, 4)), 0.0
    for i in range(0, 13, 5):
        fwd = forward_seq(p, X[i : i + 5], h)
        total += cross_entropy(fwd, Y[i : i + 5], mask[i : i + 5]) * mask[i : i + 5].sum()
        h = fwd.hs[-1].copy()
    assert total / mask.sum() == pytest.approx(reference_loss(p.as_dict(), X, Y, mask, np.zeros((2, 4))), rel=1e-12)


@pytest.mark.parametrize("TB, V", [(12, 5), (400, 3)])  # short groups (one reduceat), long ones (a loop)
def test_group_sums_add_the_rows_of_each_input_token(TB, V):
    rng = np.random.default_rng(17)
    X = rng.integers(0, V, (TB // 4, 4))
    rows = rng.standard_normal((TB, 6))
    inputs = _Inputs(X)
    assert (inputs.groups is None) == (TB < GROUP_LOOP_ROWS * V)
    got = inputs.group_sums(rows, np.empty_like(rows), np.empty((len(inputs.tokens), 6)))
    expected = np.zeros((V, 6))
    for i, token in enumerate(X.reshape(-1)):  # by hand, position by position
        expected[token] += rows[i]
    assert inputs.tokens.tolist() == sorted(set(X.reshape(-1).tolist()))
    np.testing.assert_allclose(got, expected[inputs.tokens], rtol=1e-12)


def test_a_workspace_reused_across_batch_shapes_gives_fresh_results():
    """One Workspace, batches of three shapes in turn (growing and shrinking): each result
    equals that of a fresh workspace, bit for bit."""
    rng = np.random.default_rng(18)
    p = random_params(5, 3, 4, 19)
    work = Workspace.of(p)
    for T, B in [(3, 2), (7, 3), (2, 1), (7, 3)]:
        X, Y = rng.integers(0, 5, (T, B)), rng.integers(0, 5, (T, B))
        h0 = np.tanh(rng.standard_normal((B, 4)))
        loss, grads, _ = loss_and_grads(p, X, Y, np.ones((T, B)), h0, work=work)
        ref_loss, ref, _ = loss_and_grads(p, X, Y, np.ones((T, B)), h0)
        assert loss == ref_loss
        for name in NAMES:
            assert np.array_equal(getattr(grads.params, name), getattr(ref.params, name)), name


@pytest.mark.parametrize("name", ["embedding", "W_x", "b_h"])
def test_gradients_when_some_tokens_are_no_input_match_finite_differences(name):
    """Inputs use tokens 0-2 of 5: the rows of tokens 3 and 4 get exactly no gradient."""
    rng = np.random.default_rng(20)
    X, Y = rng.integers(0, 3, (4, 2)), rng.integers(0, 5, (4, 2))
    mask, h0 = np.ones((4, 2)), np.zeros((2, 4))
    p = random_params(5, 3, 4, 21)
    _, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    d = {k: v.copy() for k, v in p.as_dict().items()}
    numeric = numeric_grad(lambda: reference_loss(d, X, Y, mask, h0), d[name])
    assert rel_error(getattr(grads.params, name), numeric) < TOL
    if name == "embedding":
        assert not grads.params.embedding[3:].any() and grads.params.embedding[:3].all()
