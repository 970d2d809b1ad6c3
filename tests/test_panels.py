"""Rule panels: one step's distribution through each rule alone, with hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc

Y = [0.1, 0.4, 0.2, 0.3]
LOGITS = np.log(np.array(Y))
NAMES = ["greedy", "temperature", "top-k", "top-p", "min-p", "typical-p"]


def H(*p: float) -> float:
    return -sum(x * math.log(x) for x in p if x > 0)


def check(panel, name, kept, q, entropy):
    assert panel.name == name
    assert panel.kept.tolist() == kept
    np.testing.assert_allclose(panel.q, q, rtol=1e-12, atol=1e-15)
    assert panel.entropy == pytest.approx(entropy, rel=1e-12, abs=1e-15)
    assert panel.effective_vocab == pytest.approx(math.exp(entropy), rel=1e-12)


def test_each_filter_alone_after_the_temperature():
    knobs = rc.Rule("sample", temperature=1.0, top_k=2, top_p=0.65, min_p=0.5, typical_p=0.45)
    greedy, temp, top_k, top_p, min_p, typical = rc.decoding.rule_panels(LOGITS, knobs)
    check(greedy, "greedy", [1], [0, 1, 0, 0], 0.0)
    check(temp, "temperature", [0, 1, 2, 3], Y, H(*Y))
    check(top_k, "top-k", [1, 3], [0, 4 / 7, 0, 3 / 7], H(4 / 7, 3 / 7))
    check(top_p, "top-p", [1, 3], [0, 4 / 7, 0, 3 / 7], H(4 / 7, 3 / 7))  # 0.4 + 0.3 >= 0.65
    check(min_p, "min-p", [1, 2, 3], [0, 4 / 9, 2 / 9, 3 / 9], H(4 / 9, 2 / 9, 3 / 9))  # p >= 0.2
    # typical alone (not after top-k): the two tokens nearest the entropy, 0.3 and 0.2
    check(typical, "typical-p", [2, 3], [0, 0, 0.4, 0.6], H(0.4, 0.6))
    assert [p.setting for p in (greedy, temp, top_k, top_p, min_p, typical)] == [
        "argmax", "T = 1", "k = 2", "p = 0.65", "min-p = 0.5", "typical-p = 0.45"]


def test_the_temperature_acts_before_every_filter():
    # T = 0.5: [1, 16, 4, 9] / 30; top-k 1 keeps token 1; min-p 0.5 needs 8/30: tokens 1 and 3
    panels = rc.decoding.rule_panels(LOGITS, rc.Rule("sample", temperature=0.5, top_k=1, min_p=0.5))
    check(panels[1], "temperature", [0, 1, 2, 3], [1 / 30, 16 / 30, 4 / 30, 9 / 30], H(1 / 30, 16 / 30, 4 / 30, 9 / 30))
    check(panels[2], "top-k", [1], [0, 1, 0, 0], 0.0)
    check(panels[4], "min-p", [1, 3], [0, 16 / 25, 0, 9 / 25], H(16 / 25, 9 / 25))


def test_a_filter_that_is_off_repeats_the_temperature_panel():
    panels = rc.decoding.rule_panels(LOGITS, rc.Rule("sample", temperature=2.0))
    assert [p.name for p in panels] == NAMES
    e = [math.sqrt(y) for y in Y]  # T = 2: y ** (1/2), renormalised
    expected = [v / sum(e) for v in e]
    for panel in panels[1:]:
        check(panel, panel.name, [0, 1, 2, 3], expected, H(*expected))
    assert [p.setting for p in panels[2:]] == ["off"] * 4


def test_temperature_zero_splits_ties_while_greedy_takes_the_first():
    panels = rc.decoding.rule_panels(np.array([1.0, 3.0, 3.0]), rc.Rule("sample", temperature=0))
    check(panels[0], "greedy", [1], [0, 1, 0], 0.0)
    check(panels[1], "temperature", [0, 1, 2], [0, 0.5, 0.5], math.log(2))


def test_panels_start_from_the_penalised_logits():
    # context {1}: o_1 = ln 0.4 < 0 is multiplied by 3: y_1 becomes 0.4 ** 3 before renormalising
    panels = rc.decoding.rule_panels(LOGITS, rc.Rule("sample", repetition_penalty=3.0), context=[1])
    w = [0.1, 0.4 ** 3, 0.2, 0.3]
    check(panels[1], "temperature", [0, 1, 2, 3], [v / sum(w) for v in w], H(*[v / sum(w) for v in w]))
    check(panels[0], "greedy", [3], [0, 0, 0, 1], 0.0)
