"""Optimizers and gradient clipping: ``grads = backward(...)``, ``clip(grads)``, ``opt.step(...)``.

Each optimizer returns the *new* parameter values without touching the old ones, so the training
loop can refuse an update that is not finite and keep the last good weights.
"""

from __future__ import annotations

import numpy as np

from .params import NAMES, Params


def global_norm(grads: Params) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.as_dict().values())))


def clip_by_global_norm(grads: Params, max_norm: float) -> Params:
    """Scale every gradient by max_norm / norm when the global norm exceeds max_norm (0 = off)."""
    if max_norm <= 0:
        return grads
    norm = global_norm(grads)
    if not norm > max_norm:  # also leaves a nan norm alone: the loop will see it and stop
        return grads
    scale = max_norm / norm
    return Params(**{k: g * scale for k, g in grads.as_dict().items()})


class SGD:
    """p <- p - lr * g."""

    def __init__(self, lr: float):
        self.lr = lr

    def step(self, params: Params, grads: Params) -> Params:
        return Params(**{k: getattr(params, k) - self.lr * getattr(grads, k) for k in NAMES})


class Adagrad:
    """p <- p - lr * g / (sqrt(sum of g^2 so far) + eps)."""

    def __init__(self, lr: float, eps: float = 1e-8):
        self.lr, self.eps, self.G = lr, eps, None

    def step(self, params: Params, grads: Params) -> Params:
        g = grads.as_dict()
        if self.G is None:
            self.G = {k: np.zeros_like(v) for k, v in g.items()}
        new = {}
        for k, gk in g.items():
            self.G[k] += gk * gk
            new[k] = getattr(params, k) - self.lr * gk / (np.sqrt(self.G[k]) + self.eps)
        return Params(**new)


class Adam:
    """Adam (Kingma & Ba) with bias correction; beta1 = 0.9, beta2 = 0.999."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def step(self, params: Params, grads: Params) -> Params:
        g = grads.as_dict()
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in g.items()}
            self.v = {k: np.zeros_like(v) for k, v in g.items()}
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        new = {}
        for k, gk in g.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * gk
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * gk * gk
            step = self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)
            new[k] = getattr(params, k) - step.astype(gk.dtype)
        return Params(**new)


def make_optimizer(name: str, lr: float):
    """'sgd' | 'adam' | 'adagrad' -> a fresh optimizer."""
    return {"sgd": SGD, "adam": Adam, "adagrad": Adagrad}[name](lr)
