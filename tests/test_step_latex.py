"""ui/step_latex.py: the LaTeX of one step and its width estimate.

Expected numbers come from the hand-built model of conftest (from 'a': a_1 = [ln 2, -ln 3],
h_1 = [0.6, -0.8], o_1 = [3, -4, 0] + b_y) and from math.exp, not from the code under test.
That an estimate is never narrower than KaTeX's rendering is checked in the browser
(tests/browser/test_browser_step_fit.py): nothing overflows its box.
"""

import math
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.conftest import hand_model
from tests.hostile_tokens import hostile_model
from ui import step_latex as tex

PLAUSIBLE = (0.0, 6.5, 2.0)  # o_1 = [3, 2.5, 2]


def softmax_by_hand(o):
    e = [math.exp(v) for v in o]
    return [v / sum(e) for v in e]


def step_one(rule=rc.GREEDY, b_y=(0.0, 0.0, 0.0), seed=0, forced=None) -> rc.StepTrace:
    return rc.generate(hand_model(b_y), "a", rule, max_tokens=1, seed=seed, forced=forced)[0]


def test_num_rounds_and_never_prints_minus_zero():
    assert tex.num(0.12345, 3) == "0.123"
    assert tex.num(-0.0004, 3) == "0.000"
    assert tex.num(-0.0006, 3) == "-0.001"
    assert tex.num(2, 1) == "2.0"


def test_vectors_are_written_fully_up_to_their_limit_then_abridged():
    assert tex.col_vec(np.array([0.6, -0.8]), 2).source == r"\begin{bmatrix}0.60 \\ -0.80\end{bmatrix}"
    assert tex.col_vec(np.arange(20.0), 0).source == r"\begin{bmatrix}0 \\ 1 \\ 2 \\ \vdots \\ 19\end{bmatrix}"
    assert tex.row_vec(np.array([0.1, 0.3, 0.5]), 1).source == r"\left[0.1,\ 0.3,\ 0.5\right]^\top"
    assert tex.row_vec(np.arange(9.0), 0).source == r"\left[0,\ 1,\ 2,\ 3,\ \ldots,\ 8\right]^\top"


def test_step_one_shows_the_hand_computed_numbers():
    tr = step_one()
    x = tex.input_tex(tr, 1).source
    assert x.startswith(r"x_{1} = \mathrm{emb}( \text{``a''} ) = \left[1.0,\ 0.0\right]^\top")
    assert r"h_0 = \mathbf{0}" in x  # the seed's h_0 = 0, said at step 1 only
    a = tex.preactivation_tex(tr, 4).source
    vectors = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", a)
    # W_x x_1 = [ln 2, 0], W_h h_0 = 0, b_h = [0, -ln 3], a_1 = [ln 2, -ln 3]
    assert vectors == [f"{math.log(2):.4f} \\\\ 0.0000", r"0.0000 \\ 0.0000", f"0.0000 \\\\ -{math.log(3):.4f}",
                       f"{math.log(2):.4f} \\\\ -{math.log(3):.4f}"]
    assert r"_{W_h h_{0}}" in a  # each term named under its numbers
    assert tex.hidden_tex(tr, 4).source.endswith(r"\left[0.6000,\ -0.8000\right]^\top")


def test_the_o_y_table_holds_the_logits_and_softmax_by_hand():
    tr = step_one()
    table = tex.output_table_tex(tr, ("a", "b", rc.EOS), 4).source
    o_row = re.search(r"o_\{1\} & (.*?) \\\\", table).group(1)
    y_row = re.search(r"y_\{1\} & (.*?) \\end", table).group(1)
    assert o_row.split(" & ") == ["3.0000", "-4.0000", "0.0000"]
    assert y_row.split(" & ") == [f"{v:.4f}" for v in softmax_by_hand([3, -4, 0])]
    assert r"q_{1}" not in table  # greedy: drawn from y_t itself


def test_a_reshaped_pick_gets_a_q_row_and_q_formula_with_its_numbers():
    """T = 0.5 and top-k = 2 on o_1 = [3, 2.5, 2]: softmax(o / 0.5) = softmax([6, 5, 4]); the two kept
    tokens had mass p_T[0] + p_T[1], which q_1 divides them by."""
    rule = rc.Rule("sample", temperature=0.5, top_k=2)
    tr = step_one(rule, PLAUSIBLE, seed=3)
    p_T = softmax_by_hand([6, 5, 4])
    mass = p_T[0] + p_T[1]
    q = [p_T[0] / mass, p_T[1] / mass, 0.0]
    assert tex.q_tex(tr, rule, 4).source == (rf"q_{{1}}[v] = \mathrm{{softmax}}(o_{{1}} / 0.5) [v] \,/\, {mass:.4f}")
    assert "2 tokens kept by top-k = 2" in tex.kept_note(tr, rule)
    table = tex.output_table_tex(tr, ("a", "b", rc.EOS), 4).source
    q_row = re.search(r"q_\{1\} & (.*?) \\end", table).group(1)
    assert q_row.split(" & ") == [f"{v:.4f}" for v in q]
    only_T = rc.Rule("sample", temperature=0.5)
    assert tex.q_tex(step_one(only_T, PLAUSIBLE), only_T, 3).source == r"q_{1} = \mathrm{softmax}(o_{1} / 0.5)"
    assert tex.kept_note(step_one(only_T, PLAUSIBLE), only_T) is None
    assert tex.q_tex(step_one(), rc.GREEDY, 3) is None


def test_the_pick_prints_q_next_to_u_and_its_slice_of_q():
    """The slice u falls in is a slice of q_t, so the pick line prints q_t, not y_t."""
    rule = rc.Rule("sample", temperature=0.5, top_k=2)
    p_T = softmax_by_hand([6, 5, 4])
    q = [p_T[0] / (p_T[0] + p_T[1]), p_T[1] / (p_T[0] + p_T[1])]
    for seed in range(8):
        tr = step_one(rule, PLAUSIBLE, seed=seed)
        pick = tex.pick_tex(tr, 6).source
        lo, hi = map(float, re.search(r"\\in \[([\d.]+),\\ ([\d.]+)\)", pick).groups())
        k = tr.token_id
        expected = (0, q[0]) if k == 0 else (q[0], 1)  # 'a' (most probable) stacked first, then 'b'
        assert (lo, hi) == (pytest.approx(expected[0], abs=1e-6), pytest.approx(expected[1], abs=1e-6))
        assert lo <= tr.draw < hi
        assert f"(q_{{1}} = {q[k]:.6f})" in pick and f"u_{{1}} = {tr.draw:.6f}" in pick


def test_greedy_forced_and_prompt_picks_say_how():
    y = softmax_by_hand([3, -4, 0])
    assert tex.pick_tex(step_one(), 3).source == (rf"w_{{1}} = \arg\max_v\, y_{{1}}[v] = \text{{``a''}} "
                                                  rf"\quad (y = {y[0]:.3f})")
    forced = step_one(forced={1: 1})
    assert r"\text{(forced by you)}" in tex.pick_tex(forced, 3).source
    prompt = rc.generate(hand_model(), ["a", "b"], rc.GREEDY, max_tokens=1)[0]
    assert r"\text{(the next token of the prompt)}" in tex.pick_tex(prompt, 3).source


def vocab_model(V: int) -> rc.Model:
    words = " ".join(f"w{i}" for i in range(V - 1))  # V - 1 words and </s>
    return rc.new_model(rc.make_corpus(words, "word"), rc.TrainConfig(hidden_size=3, embed_dim=3))


@pytest.mark.parametrize("V, blocks", [(5, 1), (6, 1), (7, 2), (10, 2), (12, 2)])
def test_up_to_twelve_tokens_all_show_in_blocks_of_at_most_six(V, blocks):
    model = vocab_model(V)
    tr = rc.generate(model, "w0", rc.GREEDY, max_tokens=1)[0]
    source = tex.output_table_tex(tr, model.vocab.tokens, 3).source
    heads = [h.split(r"\hline")[0] for h in source.split(r"\begin{array}")[1:]]
    shown = [t for h in heads for t in re.findall(r"``(.*?)''", h)]
    assert len(heads) == blocks and all(len(re.findall(r"``", h)) <= tex.BLOCK_COLUMNS for h in heads)
    assert sorted(shown) == sorted(model.vocab.tokens)
    assert r"\text{others}" not in source


def test_a_larger_vocabulary_shows_the_top_tokens_the_chosen_one_and_others():
    model = vocab_model(30)
    least = int(np.argmin(rc.generate(model, "w0", rc.GREEDY, max_tokens=1)[0].probs))
    tr = rc.generate(model, "w0", rc.GREEDY, max_tokens=1, forced={1: least})[0]
    source = tex.output_table_tex(tr, model.vocab.tokens, 3).source
    shown = re.findall(r"``(.*?)''", source)
    top = [model.vocab.tokens[i] for i in np.argsort(-tr.probs, kind="stable")[: tex.TABLE_COLUMNS - 2]]
    assert set(shown) == set(top) | {model.vocab.tokens[least]}
    assert len(shown) + 1 <= tex.TABLE_COLUMNS and r"\text{others}" in source
    rest = [v for v in range(30) if model.vocab.tokens[v] not in shown]
    assert f"{tr.probs[rest].sum():.3f}" in source  # the others' mass, so nothing is silently left out


def test_tokens_reach_latex_escaped():
    model = hostile_model()
    tr = rc.generate(model, ["<b>"], rc.GREEDY, max_tokens=1)[0]
    table = tex.output_table_tex(tr, model.vocab.tokens, 3).source
    for escaped in (r"\text{``\$x\$''}", r"\text{``\textbackslash{}frac''}", r"\text{``\}''}", r"\text{``\&''}",
                    r"\text{``\_''}", r"\text{``␣''}"):
        assert escaped in table


def test_widths_grow_with_the_decimals_and_the_vocabulary():
    small, large = vocab_model(5), vocab_model(12)
    tr_small = rc.generate(small, "w0", rc.GREEDY, max_tokens=1)[0]
    tr_large = rc.generate(large, "w0", rc.GREEDY, max_tokens=1)[0]
    assert tex.preactivation_tex(tr_small, 6).em > tex.preactivation_tex(tr_small, 1).em
    wide = tex.output_table_tex(tr_large, large.vocab.tokens, 3)
    assert wide.em > tex.output_table_tex(tr_small, small.vocab.tokens, 3).em


def test_shapes_write_W_y_as_V_by_H(trained_seed):
    source = tex.shapes_tex(trained_seed.params).source
    assert r"W_y \in \mathbb{R}^{5 \times 3}" in source and r"b_h \in \mathbb{R}^{3}" in source
    assert r"\mathrm{emb} \in \mathbb{R}^{5 \times 3}" in source
