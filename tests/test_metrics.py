"""Entropy, effective vocabulary and perplexity against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc


@pytest.mark.parametrize("q, H", [
    ([0.5, 0.5], math.log(2)),
    ([0.25] * 4, math.log(4)),
    ([0.0, 1.0, 0.0], 0.0),  # a token with q = 0 adds nothing (0 ln 0 = 0)
    ([0.1, 0.4, 0.2, 0.3], -(0.1 * math.log(0.1) + 0.4 * math.log(0.4) + 0.2 * math.log(0.2) + 0.3 * math.log(0.3))),
    ([0.0, 0.4, 0.0, 0.6], 0.6730116670092565),  # -(0.4 ln 0.4 + 0.6 ln 0.6)
])
def test_entropy_in_nats_and_effective_vocabulary(q, H):
    assert rc.analysis.entropy(np.array(q)) == pytest.approx(H, rel=1e-12, abs=1e-15)
    assert rc.analysis.effective_vocab(np.array(q)) == pytest.approx(math.exp(H), rel=1e-12)


def test_a_one_hot_distribution_has_entropy_zero_not_minus_zero():
    H = rc.analysis.entropy(np.array([0.0, 1.0]))
    assert H == 0.0 and math.copysign(1, H) == 1
    assert rc.analysis.effective_vocab(np.array([1.0])) == 1.0


def test_perplexity_is_exp_loss_capped_before_overflow():
    assert rc.analysis.perplexity(0.0) == 1.0
    assert rc.analysis.perplexity(math.log(3)) == pytest.approx(3.0, rel=1e-15)
    assert rc.analysis.perplexity(1e6) == math.exp(700) and math.isfinite(rc.analysis.perplexity(1e6))
    assert math.isnan(rc.analysis.perplexity(float("nan")))
