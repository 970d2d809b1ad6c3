"""Optimizers, clipping and the flat layout: updates against values worked out by hand (two
numbers, two steps), against the textbook formulas over every parameter, and clipping."""

import math

import numpy as np
import pytest

from rnn_core.config import OPTIMIZERS
from rnn_core.optim import SGD, Adagrad, Adam, Layout, clip_by_global_norm, clip_flat, global_norm, make_optimizer
from rnn_core.weights import NAMES, Params, init_params

THETA = np.array([1.0, -2.0])
G1 = np.array([0.5, -1.0])
G2 = np.array([0.5, 0.0])


def two_updates(optimizer) -> tuple[np.ndarray, np.ndarray]:
    """theta after the update with G1, and after a second one with G2."""
    first, second = np.empty(2), np.empty(2)
    optimizer.update(THETA, G1, first)
    optimizer.update(first, G2, second)
    return first, second


def test_sgd_by_hand():
    # theta - 0.1 g: [1 - 0.05, -2 + 0.1], then [0.95 - 0.05, -1.9 - 0]
    first, second = two_updates(SGD(0.1))
    np.testing.assert_allclose(first, [0.95, -1.9], rtol=1e-15)
    np.testing.assert_allclose(second, [0.9, -1.9], rtol=1e-15)


def test_adagrad_by_hand():
    # G = [0.25, 1]: step 0.1 * [0.5 / 0.5, -1 / 1] = [0.1, -0.1];
    # then G = [0.5, 1]: step 0.1 * [0.5 / sqrt(0.5), 0] = [0.070710678..., 0]
    first, second = two_updates(Adagrad(0.1))
    np.testing.assert_allclose(first, [0.9, -1.9], rtol=1e-7)
    np.testing.assert_allclose(second, [0.9 - 0.1 * math.sqrt(0.5), -1.9], rtol=1e-7)


def test_adam_by_hand():
    # step 1: m/c1 = g and v/c2 = g^2, so the step is lr * sign(g) = [0.1, -0.1].
    # step 2: m = 0.9 * 0.1 * G1 + 0.1 * G2 = [0.095, -0.09], c1 = 1 - 0.81 = 0.19 -> m/c1 = [0.5, -0.47368...];
    # v = 0.999 * 0.001 * G1^2 + 0.001 * G2^2 = [0.00049975, 0.000999], c2 = 0.001999 -> v/c2 = [0.25, 0.49974987...];
    # step = 0.1 * [0.5 / 0.5, -0.47368 / 0.70693] = [0.1, -0.0670058...]
    first, second = two_updates(Adam(0.1))
    np.testing.assert_allclose(first, [0.9, -1.9], rtol=1e-7)
    np.testing.assert_allclose(second, [0.8, -1.9 + 0.1 * (0.09 / 0.19) / math.sqrt(0.000999 / 0.001999)], rtol=1e-7)


@pytest.mark.parametrize("make", [SGD, Adagrad, Adam])
def test_update_writes_out_and_leaves_theta_and_g_alone(make):
    theta, g, out = THETA.copy(), G1.copy(), np.full(2, np.nan)
    make(0.1).update(theta, g, out)
    assert np.isfinite(out).all() and not np.array_equal(out, THETA)
    assert np.array_equal(theta, THETA) and np.array_equal(g, G1)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_configurable_optimizer_can_be_made(name):
    optimizer = make_optimizer(name, 0.1)
    assert type(optimizer) is {"sgd": SGD, "adam": Adam, "adagrad": Adagrad}[name]
    assert optimizer.lr == 0.1


def test_clip_flat_by_hand():
    g = np.array([3.0, 4.0])  # norm 5
    assert clip_flat(g, 1.0) == 5.0
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-15)
    for max_norm in (10.0, 5.0, 0.0):  # not above the limit, or clipping off: untouched
        g = np.array([3.0, 4.0])
        assert clip_flat(g, max_norm) == 5.0 and g.tolist() == [3.0, 4.0]


def test_clip_flat_leaves_a_non_finite_gradient_for_the_loop_to_see():
    g = np.array([np.nan, 1.0])
    assert math.isnan(clip_flat(g, 1.0))
    assert math.isnan(g[0]) and g[1] == 1.0


def test_layout_views_write_through_and_flatten_round_trips():
    layout = Layout(2, 3, 4)  # V, E, H
    assert layout.size == 2 * 3 + 4 * 3 + 4 * 4 + 4 + 2 * 4 + 2
    flat = np.arange(layout.size, dtype=float)
    p = layout.views(flat)
    assert p.embedding.tolist() == [[0, 1, 2], [3, 4, 5]] and p.b_y.tolist() == [layout.size - 2, layout.size - 1]
    assert [getattr(p, k).shape for k in NAMES] == [(2, 3), (4, 3), (4, 4), (4,), (2, 4), (2,)]
    p.W_h[0, 0] = -1
    assert flat[18] == -1  # after embedding (6) and W_x (12)
    assert np.array_equal(layout.flatten(p), flat)


def some_params(seed: int) -> Params:
    return init_params(5, 3, 4, np.random.default_rng(seed))


def grads_with_norm(norm: float) -> Params:
    rng = np.random.default_rng(8)
    g = Params(**{k: rng.standard_normal(v.shape) for k, v in some_params(8).as_dict().items()})
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
    p = some_params(9)
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
    p = some_params(10)
    before = p.copy()
    for opt_cls in (SGD, Adam, Adagrad):
        opt_cls(0.1).step(p, grads_with_norm(1.0))
        for name in NAMES:
            assert np.array_equal(getattr(p, name), getattr(before, name))
