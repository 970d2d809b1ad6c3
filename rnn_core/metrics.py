"""Numbers that summarise a distribution or a loss: entropy, effective vocabulary, perplexity."""

from __future__ import annotations

import math

import numpy as np

MAX_EXP = 700.0  # exp(709.8) is float64's largest: a loss above 700 shows as exp(700), not inf


def perplexity(loss: float) -> float:
    """exp(loss) for a mean cross-entropy ``loss`` in nats, capped at exp(700) so a diverged
    run gives a huge finite number rather than an overflow (NaN stays NaN)."""
    return math.exp(min(loss, MAX_EXP))


def entropy(q: np.ndarray) -> float:
    """H(q) = -sum_v q_v ln q_v in nats, for a distribution q (V,); tokens with q_v = 0 add 0."""
    p = q[q > 0]
    return max(0.0, -float(np.dot(p, np.log(p))))  # max: no -0.0 or -1e-16 from rounding


def effective_vocab(q: np.ndarray) -> float:
    """exp(H(q)): the number of equally likely tokens with the same entropy (1 for a one-hot q,
    V for the uniform distribution)."""
    return math.exp(entropy(q))
