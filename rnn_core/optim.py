"""Optimizers and gradient clipping on one flat vector of all parameters.

The training loop keeps every parameter (and every gradient) as a view into one flat array laid
out by ``Layout``, so clipping and an optimizer update are a handful of whole-vector operations
instead of one small operation per parameter. Each update writes the new values into ``out``
and leaves the old ones untouched, so the loop can refuse an update that is not finite and keep
the last good weights. ``step(params, grads) -> Params`` does the same on ``Params`` objects.
"""

from __future__ import annotations

import math

import numpy as np

from .weights import NAMES, Params


class Layout:
    """Where each parameter of a (V, E, H) model lives in one flat vector of ``size`` numbers."""

    def __init__(self, V: int, E: int, H: int):
        shapes = {"embedding": (V, E), "W_x": (H, E), "W_h": (H, H), "b_h": (H,), "W_y": (V, H), "b_y": (V,)}
        self.shapes = [shapes[k] for k in NAMES]
        self.bounds, start = [], 0
        for shape in self.shapes:
            self.bounds.append((start, start + math.prod(shape)))
            start += math.prod(shape)
        self.size = start

    @classmethod
    def of(cls, params: Params) -> "Layout":
        return cls(*params.sizes)

    def views(self, flat: np.ndarray) -> Params:
        """Params whose arrays are views into ``flat`` (size,): writing one writes the other."""
        return Params(*(flat[a:b].reshape(s) for (a, b), s in zip(self.bounds, self.shapes)))

    def flatten(self, params: Params, out: np.ndarray | None = None) -> np.ndarray:
        """A copy of every parameter, one after another, as one (size,) vector."""
        if out is None:
            out = np.empty(self.size, params.W_h.dtype)
        for (a, b), name in zip(self.bounds, NAMES):
            out[a:b] = getattr(params, name).reshape(-1)
        return out


def clip_flat(g: np.ndarray, max_norm: float) -> float:
    """Scale the flat gradient g in place to norm max_norm if its norm exceeds it (0 = off).
    Returns the norm before clipping (nan if g is not finite: then g is left alone)."""
    norm = math.sqrt(float(np.dot(g, g)))
    if max_norm > 0 and norm > max_norm:
        g *= max_norm / norm
    return norm


def global_norm(grads: Params) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.as_dict().values())))


def clip_by_global_norm(grads: Params, max_norm: float) -> Params:
    """Scale every gradient by max_norm / norm when the global norm exceeds max_norm (0 = off)."""
    if max_norm <= 0 or not global_norm(grads) > max_norm:  # a nan norm is left for the loop to see
        return grads
    layout = Layout.of(grads)
    g = layout.flatten(grads)
    clip_flat(g, max_norm)
    return layout.views(g)


class Optimizer:
    """An update rule on flat vectors: ``update(theta, g, out)`` writes the new theta into out."""

    def update(self, theta: np.ndarray, g: np.ndarray, out: np.ndarray) -> None:
        raise NotImplementedError

    def step(self, params: Params, grads: Params) -> Params:
        """The new parameters after one update (``params`` are not modified)."""
        layout = Layout.of(params)
        out = np.empty(layout.size, params.W_h.dtype)
        self.update(layout.flatten(params), layout.flatten(grads), out)
        return layout.views(out)


class SGD(Optimizer):
    """p <- p - lr * g."""

    def __init__(self, lr: float):
        self.lr = lr

    def update(self, theta, g, out):
        np.multiply(g, -self.lr, out=out)
        out += theta


class Adagrad(Optimizer):
    """p <- p - lr * g / (sqrt(sum of g^2 so far) + eps)."""

    def __init__(self, lr: float, eps: float = 1e-8):
        self.lr, self.eps, self.G, self.tmp = lr, eps, None, None

    def update(self, theta, g, out):
        if self.G is None:
            self.G, self.tmp = np.zeros_like(g), np.empty_like(g)
        G, tmp = self.G, self.tmp
        np.multiply(g, g, out=tmp)
        G += tmp
        np.sqrt(G, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        np.subtract(theta, tmp, out=out)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; beta1 = 0.9, beta2 = 0.999.

    m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr (m/c1) / (sqrt(v/c2) + eps),
    computed as p - (lr/c1) m / (sqrt(v)/sqrt(c2) + eps) with the moments updated in place.
    """

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = self.tmp = None
        self.t = 0

    def update(self, theta, g, out):
        if self.m is None:
            self.m, self.v, self.tmp = np.zeros_like(g), np.zeros_like(g), np.empty_like(g)
        m, v, tmp = self.m, self.v, self.tmp
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        m *= self.b1
        np.multiply(g, 1 - self.b1, out=tmp)
        m += tmp
        v *= self.b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= 1 / math.sqrt(c2)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / c1
        np.subtract(theta, tmp, out=out)


def make_optimizer(name: str, lr: float) -> Optimizer:
    """'sgd' | 'adam' | 'adagrad' -> a fresh optimizer."""
    return {"sgd": SGD, "adam": Adam, "adagrad": Adagrad}[name](lr)
