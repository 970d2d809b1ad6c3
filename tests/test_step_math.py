"""ui/step/equations.py: one step's equations as HTML, with the numbers at the chosen decimals.

Expected numbers come from the hand-built model of conftest (from 'a': a_1 = [ln 2, -ln 3],
h_1 = [0.6, -0.8], o_1 = [3, -4, 0] + b_y) and from math.exp, not from the code under test.
"""

import math
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.conftest import hand_model
from tests.hostile_tokens import hostile_model
from tests.walk_record import numbers, table_rows, text
from ui.step import equations

PLAUSIBLE = (0.0, 6.5, 2.0)  # o_1 = [3, 2.5, 2]
VOCAB = ("a", "b", rc.EOS)


def softmax_by_hand(o):
    e = [math.exp(v) for v in o]
    return [v / sum(e) for v in e]


def step_one(rule=rc.GREEDY, b_y=(0.0, 0.0, 0.0), seed=0, forced=None) -> rc.StepTrace:
    return rc.generate(hand_model(b_y), "a", rule, max_tokens=1, seed=seed, forced=forced)[0]


def test_num_rounds_and_never_prints_minus_zero():
    assert equations.num(0.12345, 3) == "0.123"
    assert equations.num(-0.0004, 3) == "0.000"
    assert equations.num(-0.0006, 3) == "-0.001"
    assert equations.num(2, 1) == "2.0"


def test_vectors_are_written_fully_up_to_their_limit_then_abridged():
    assert numbers(equations.col_vec(np.array([0.6, -0.8]), 2, "h"), "h") == ["0.60", "-0.80"]
    long = equations.col_vec(np.arange(20.0), 0, "h")
    assert numbers(long, "h") == ["0", "1", "2", "19"] and "⋮" in long
    assert text(equations.row_vec(np.array([0.1, 0.3, 0.5]), 1, "x")) == "[0.1, 0.3, 0.5]⊤"
    assert text(equations.row_vec(np.arange(9.0), 0, "x")) == "[0, 1, 2, 3, …, 8]⊤"


def test_step_one_shows_the_hand_computed_numbers():
    tr = step_one()
    x = equations.input_eq(tr, 1)
    assert numbers(x, "x") == ["1.0", "0.0"] and "emb(“a”)" in text(x)
    assert "h0 = 0" in text(x)  # the seed's h_0 = 0, said at step 1 only
    a = equations.preactivation_eq(tr, 4)
    # W_x x_1 = [ln 2, 0], W_h h_0 = 0, b_h = [0, -ln 3], a_1 = [ln 2, -ln 3]
    assert numbers(a, "Wx_x") == [f"{math.log(2):.4f}", "0.0000"]
    assert numbers(a, "Wh_h") == ["0.0000", "0.0000"]
    assert numbers(a, "b_h") == ["0.0000", f"-{math.log(3):.4f}"]
    assert numbers(a, "a") == [f"{math.log(2):.4f}", f"-{math.log(3):.4f}"]
    assert "Whh0" in text(a)  # each term named under its numbers
    assert numbers(equations.hidden_eq(tr, 4), "h") == ["0.6000", "-0.8000"]
    assert "h0" not in text(equations.input_eq(rc.generate(hand_model(), "a", rc.GREEDY, max_tokens=2)[1], 1))


def test_the_o_y_table_holds_the_logits_and_softmax_by_hand():
    tr = step_one()
    rows = table_rows(equations.output_table(tr, VOCAB, 4))
    assert rows["head"] == ["“a”", "“b”", "“</s>”"]
    assert rows["o"] == ["3.0000", "-4.0000", "0.0000"]
    assert rows["y"] == [f"{v:.4f}" for v in softmax_by_hand([3, -4, 0])]
    assert "q" not in rows  # greedy: drawn from y_t itself
    assert re.search(r'class="chosen"><span class="n" data-name="y">', equations.output_table(tr, VOCAB, 4))


def test_the_output_equation_names_W_y_as_V_by_H():
    assert "Wy is V×H = 5×3" in text(equations.output_eq(step_one(), (5, 3)))


def test_a_reshaped_pick_gets_a_q_row_and_q_formula_with_its_numbers():
    """T = 0.5 and top-k = 2 on o_1 = [3, 2.5, 2]: softmax(o / 0.5) = softmax([6, 5, 4]); the two kept
    tokens had mass p_T[0] + p_T[1], which q_1 divides them by."""
    rule = rc.Rule("sample", temperature=0.5, top_k=2)
    tr = step_one(rule, PLAUSIBLE, seed=3)
    p_T = softmax_by_hand([6, 5, 4])
    mass = p_T[0] + p_T[1]
    q = [p_T[0] / mass, p_T[1] / mass, 0.0]
    assert text(equations.q_eq(tr, rule, 4)) == f"q1[v] = softmax(o1 / 0.5)[v] / {mass:.4f}"
    assert "2 tokens kept by top-k = 2" in equations.kept_note(tr, rule)
    assert table_rows(equations.output_table(tr, VOCAB, 4))["q"] == [f"{v:.4f}" for v in q]
    only_T = rc.Rule("sample", temperature=0.5)
    assert text(equations.q_eq(step_one(only_T, PLAUSIBLE), only_T, 3)) == "q1 = softmax(o1 / 0.5)"
    assert equations.kept_note(step_one(only_T, PLAUSIBLE), only_T) is None
    assert equations.q_eq(step_one(), rc.GREEDY, 3) is None


def test_the_pick_prints_q_next_to_u_and_its_slice_of_q():
    """The slice u falls in is a slice of q_t, so the pick line prints q_t, not y_t."""
    rule = rc.Rule("sample", temperature=0.5, top_k=2)
    p_T = softmax_by_hand([6, 5, 4])
    q = [p_T[0] / (p_T[0] + p_T[1]), p_T[1] / (p_T[0] + p_T[1])]
    for seed in range(8):
        tr = step_one(rule, PLAUSIBLE, seed=seed)
        pick = text(equations.pick_eq(tr, 6))
        lo, hi = map(float, re.search(r"∈ \[([\d.]+), ([\d.]+)\)", pick).groups())
        k = tr.token_id
        expected = (0, q[0]) if k == 0 else (q[0], 1)  # 'a' (most probable) stacked first, then 'b'
        assert (lo, hi) == (pytest.approx(expected[0], abs=1e-6), pytest.approx(expected[1], abs=1e-6))
        assert lo <= tr.draw < hi
        assert f"(q1 = {q[k]:.6f})" in pick and f"u1 = {tr.draw:.6f}" in pick


def test_greedy_forced_and_prompt_picks_say_how():
    y = softmax_by_hand([3, -4, 0])
    assert text(equations.pick_eq(step_one(), 3)) == f"w1 = arg maxv y1[v] = “a” (y1 = {y[0]:.3f})"
    assert "(forced by you; y1 = " in text(equations.pick_eq(step_one(forced={1: 1}), 3))
    prompt = rc.generate(hand_model(), ["a", "b"], rc.GREEDY, max_tokens=1)[0]
    assert "(the next token of the prompt; " in text(equations.pick_eq(prompt, 3))
    assert equations.slice_note(prompt) is None
    assert "u's slice" in equations.slice_note(step_one(rc.Rule("sample"), PLAUSIBLE))


def vocab_model(V: int) -> rc.Model:
    words = " ".join(f"w{i}" for i in range(V - 1))  # V - 1 words and </s>
    return rc.new_model(rc.make_corpus(words, "word"), rc.TrainConfig(hidden_size=3, embed_dim=3))


@pytest.mark.parametrize("V, blocks", [(5, 1), (6, 1), (7, 2), (10, 2), (12, 2)])
def test_up_to_twelve_tokens_all_show_in_blocks_of_at_most_six(V, blocks):
    model = vocab_model(V)
    tr = rc.generate(model, "w0", rc.GREEDY, max_tokens=1)[0]
    source = equations.output_table(tr, model.vocab.tokens, 3)
    heads = re.findall(r"<table class=\"out\"><tr><th></th>(.*?)</tr>", source)
    shown = [t.strip("“”") for h in heads for t in re.findall(r"“[^”]*”", text(h))]
    assert len(heads) == blocks and all(h.count("<th>") <= equations.BLOCK_COLUMNS for h in heads)
    assert sorted(shown) == sorted(model.vocab.tokens)
    assert "others" not in source


def test_a_larger_vocabulary_shows_the_top_tokens_the_chosen_one_and_others():
    model = vocab_model(30)
    least = int(np.argmin(rc.generate(model, "w0", rc.GREEDY, max_tokens=1)[0].probs))
    tr = rc.generate(model, "w0", rc.GREEDY, max_tokens=1, forced={1: least})[0]
    rows = table_rows(equations.output_table(tr, model.vocab.tokens, 3))
    shown = [h.strip("“”") for h in rows["head"] if h != "others"]
    top = [model.vocab.tokens[i] for i in np.argsort(-tr.probs, kind="stable")[: equations.TABLE_COLUMNS - 2]]
    assert set(shown) == set(top) | {model.vocab.tokens[least]}
    assert len(rows["head"]) <= equations.TABLE_COLUMNS and rows["head"][-1] == "others"
    rest = [v for v in range(30) if model.vocab.tokens[v] not in shown]
    assert rows["y"][-1] == f"{tr.probs[rest].sum():.3f}"  # the others' mass: nothing silently left out


def test_tokens_reach_the_html_escaped():
    model = hostile_model()
    tr = rc.generate(model, ["<b>"], rc.GREEDY, max_tokens=1)[0]
    source = equations.output_table(tr, model.vocab.tokens, 3) + equations.input_eq(tr, 3)
    assert "<b>" not in source.replace("<b>0</b>", "") and "&lt;b&gt;" in source
    assert {"“<b>”", "“$x$”", "“\\frac”", "“}”", "“&”", "“_”", "“␣”"} <= set(table_rows(source)["head"])
