"""Interventions on h_{t-1} against hand computations on ``hand_model`` (tests/conftest.py).

The path is the prompt 'a b': step 1 feeds 'a' from h_0 = 0, giving h_1 = [0.6, -0.8] exactly;
step 2 feeds 'b' (x = [0, 1], so W_x x_2 = 0) and W_h = [[0, -1], [1, 0]] maps h_1 to
W_h h_1 = [-h_1[1], h_1[0]]. With b_h = [0, -ln 3] and W_y = 5 I (plus a zero row for </s>),
every edit of h_1 below has a_2, h_2 and o_2 that can be written down.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.analysis import HiddenEdit, continue_greedy, intervene

LN2, LN3 = math.log(2), math.log(3)


def softmax_by_hand(o):
    e = [math.exp(z - max(o)) for z in o]
    return [z / sum(e) for z in e]


def path(model, max_tokens=1):
    return rc.generate(model, ["a", "b"], rc.GREEDY, max_tokens=max_tokens)


@pytest.mark.parametrize("edit, h_prev, a", [
    (HiddenEdit.reset(), [0.0, 0.0], [0.0, -LN3]),
    (HiddenEdit.zero(0), [0.0, -0.8], [0.8, -LN3]),
    (HiddenEdit.zero(1), [0.6, 0.0], [0.0, 0.6 - LN3]),
    (HiddenEdit.clamp(0, math.log(1.5)), [math.log(1.5), -0.8], [0.8, math.log(1.5) - LN3]),  # a_2[1] = -ln 2
])
def test_an_edit_of_h_prev_recomputes_the_step_as_by_hand(make_hand_model, edit, h_prev, a):
    model = make_hand_model(b_y=(0.0, 0.0, 0.5))
    traces = path(model)
    got = intervene(model, traces, 2, edit)
    h = [math.tanh(z) for z in a]
    o = [5 * h[0], 5 * h[1], 0.5]
    ch = got.changed
    np.testing.assert_allclose(ch.h_prev, h_prev, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ch.Wh_h, [-h_prev[1], h_prev[0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(ch.a, a, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ch.h, h, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ch.logits, o, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ch.probs, softmax_by_hand(o), rtol=1e-13)
    assert ch.token_id == max(range(3), key=lambda v: o[v]) and ch.how == "greedy"
    np.testing.assert_allclose(got.probs_change, np.array(softmax_by_hand(o)) - traces[1].probs, atol=1e-15)


def test_clamping_to_ln_1_5_gives_the_exact_state_minus_0_6(make_hand_model):
    # a_2[1] = ln 1.5 - ln 3 = -ln 2, and tanh(-ln 2) = -(2 - 1/2) / (2 + 1/2) = -0.6
    got = intervene(make_hand_model(), path(make_hand_model()), 2, HiddenEdit.clamp(0, math.log(1.5)))
    assert got.changed.h[1] == pytest.approx(-0.6, abs=1e-15)
    assert got.changed.logits[1] == pytest.approx(-3.0, abs=1e-14)


def test_the_step_keeps_its_input_and_the_path_is_untouched(tiny_model):
    traces = path(tiny_model)
    before = [(tr.h_prev.copy(), tr.h.copy(), tr.probs.copy()) for tr in traces]
    got = intervene(tiny_model, traces, 2, HiddenEdit.reset())
    assert got.original is traces[1] and got.t == 2 and got.edit == HiddenEdit.reset()
    ch = got.changed
    assert (ch.t, ch.input, ch.input_id) == (2, "b", 1)
    np.testing.assert_array_equal(ch.x, traces[1].x)
    np.testing.assert_array_equal(ch.Wx_x, traces[1].Wx_x)
    np.testing.assert_array_equal(ch.b_h, traces[1].b_h)
    for tr, (h_prev, h, probs) in zip(traces, before):
        np.testing.assert_array_equal(tr.h_prev, h_prev)
        np.testing.assert_array_equal(tr.h, h)
        np.testing.assert_array_equal(tr.probs, probs)
    np.testing.assert_allclose(traces[1].h_prev, [0.6, -0.8], atol=1e-15)  # the original memory


def test_a_reset_at_step_1_changes_nothing_because_h_0_is_already_zero(tiny_model):
    traces = path(tiny_model)
    got = intervene(tiny_model, traces, 1, HiddenEdit.reset())
    np.testing.assert_array_equal(got.changed.probs, traces[0].probs)
    assert not np.any(got.probs_change)


def test_a_prompt_step_keeps_its_prompt_token(tiny_model):
    traces = rc.decoding.teacher_forced(tiny_model, ["a", "b", "a", "b"])
    got = intervene(tiny_model, traces, 2, HiddenEdit.reset())
    assert (got.changed.token, got.changed.how) == ("a", "prompt")


def test_continuing_stops_when_the_edited_step_picks_the_end(make_hand_model):
    model = make_hand_model(b_y=(0.0, 0.0, 0.5))  # after the reset o_2 = [0, -4, 0.5]: </s> wins
    traces = path(model, max_tokens=5)
    assert traces[1].token != rc.EOS
    got = continue_greedy(model, traces, 2, HiddenEdit.reset())
    assert [tr.token for tr in got] == ["b", rc.EOS]
    assert got[0] is traces[0]


def test_continuing_carries_the_edited_memory_forward_greedily(make_hand_model):
    model = make_hand_model(b_y=(0.1, 0.0, 0.0))
    traces = path(model, max_tokens=3)
    got = continue_greedy(model, traces, 2, HiddenEdit.zero(1), max_tokens=3)
    # step 2: a_2 = [0, 0.6 - ln 3], h_2 = [0, t1], o_2 = [0.1, 5 t1, 0] with t1 < 0: 'a' wins
    t1 = math.tanh(0.6 - LN3)
    np.testing.assert_allclose(got[1].h, [0.0, t1], atol=1e-15)
    assert got[1].token == "a"
    # step 3 feeds 'a' (W_x x = [ln 2, 0]) from h_2: a_3 = [ln 2 - t1, -ln 3]
    assert got[2].input == "a"
    np.testing.assert_array_equal(got[2].h_prev, got[1].h)
    np.testing.assert_allclose(got[2].a, [LN2 - t1, -LN3], rtol=1e-14)
    np.testing.assert_allclose(got[2].h, [math.tanh(LN2 - t1), -0.8], rtol=1e-14)
    assert [tr.how for tr in got] == ["prompt", "greedy", "greedy", "greedy"]  # 3 generated tokens
    for prev, tr in zip(got[1:], got[2:]):
        f = rc.forward_step(model.params, prev.token_id, prev.h)
        np.testing.assert_array_equal(tr.probs, f.probs)
        assert tr.token_id == int(np.argmax(f.probs))


def test_continuing_inside_the_prompt_feeds_the_rest_of_the_prompt(tiny_model):
    traces = rc.decoding.teacher_forced(tiny_model, ["a", "b", "a", "b"])
    got = continue_greedy(tiny_model, traces, 2, HiddenEdit.reset(), max_tokens=2)
    assert [tr.input for tr in got[:3]] == ["a", "b", "a"]
    assert [tr.how for tr in got] == ["prompt", "prompt", "prompt", "greedy", "greedy"]
    np.testing.assert_array_equal(got[2].h_prev, got[1].h)
    assert not np.allclose(got[2].h_prev, traces[2].h_prev)  # the edit changed what step 3 remembers


@pytest.mark.parametrize("make, words", [
    (lambda: HiddenEdit("flip", 0), "'zero', 'clamp' or 'reset'"),
    (lambda: HiddenEdit("reset", 0), "give no unit"),
    (lambda: HiddenEdit.zero(-1), "whole number >= 0"),
    (lambda: HiddenEdit.zero(True), "whole number >= 0"),
    (lambda: HiddenEdit.zero(1.0), "whole number >= 0"),
    (lambda: HiddenEdit.clamp(0, 1.5), "from -1 to 1"),
    (lambda: HiddenEdit.clamp(0, float("nan")), "from -1 to 1"),
    (lambda: HiddenEdit("zero", 0, 0.5), "use 'clamp'"),
])
def test_a_bad_edit_is_refused_with_a_message(make, words):
    with pytest.raises(rc.ConfigError, match=words):
        make()


@pytest.mark.parametrize("t, edit, words", [
    (0, HiddenEdit.reset(), "step must be from 1 to 2"),
    (3, HiddenEdit.reset(), "step must be from 1 to 2"),
    (2, HiddenEdit.zero(2), "unit 2 does not exist; units are 0 to 1"),
])
def test_an_edit_outside_the_path_or_the_state_is_refused(tiny_model, t, edit, words):
    with pytest.raises(rc.ConfigError, match=words):
        intervene(tiny_model, path(tiny_model), t, edit)


def test_an_empty_path_is_refused(tiny_model):
    with pytest.raises(rc.ConfigError, match="path is empty"):
        intervene(tiny_model, [], 1, HiddenEdit.reset())


def test_edits_describe_themselves_in_the_seed_notation():
    assert HiddenEdit.zero(1).describe(3) == "unit 2 of h_2 = 0"  # units counted from 1 on screen
    assert HiddenEdit.clamp(0, -0.5).describe(3) == "unit 1 of h_2 = -0.5"
    assert HiddenEdit.reset().describe(1) == "h_0 = 0"
