"""ui/step_view.py: the Step-Through page's LaTeX, URL settings, path cache and forks.

Expected numbers come from the hand-built model of conftest (h_1 = [0.6, -0.8], o_1 = [3, -4, 0]
from 'a') and from math.exp, not from the code under test.
"""

import math
import re
from dataclasses import replace

import numpy as np
import pytest

import rnn_core as rc
from tests.conftest import hand_model
from ui import step_view as sv


def softmax_by_hand(o):
    e = [math.exp(v) for v in o]
    return [v / sum(e) for v in e]


def test_num_rounds_and_never_prints_minus_zero():
    assert sv.num(0.12345, 3) == "0.123"
    assert sv.num(-0.0004, 3) == "0.000"
    assert sv.num(-0.0006, 3) == "-0.001"
    assert sv.num(2, 1) == "2.0"


def test_tex_token_escapes_latex_and_names_whitespace():
    assert sv.tex_token("love") == r"\text{``love''}"
    assert sv.tex_token("a_b") == r"\text{``a\_b''}"
    assert sv.tex_token("{%}") == r"\text{``\{\%\}''}"
    assert sv.tex_token(" ") == r"\textit{space}"


def test_vec_writes_short_vectors_fully_and_abridges_long_ones():
    assert sv.vec(np.array([0.6, -0.8]), 2) == r"\begin{bmatrix}0.60 \\ -0.80\end{bmatrix}"
    long = sv.vec(np.arange(20.0), 0, limit=5)
    assert long == r"\begin{bmatrix}0 \\ 1 \\ 2 \\ \vdots \\ 19\end{bmatrix}"


def test_step_one_latex_shows_the_hand_computed_numbers():
    model = hand_model()
    (tr,) = rc.generate(model, "a", rc.GREEDY, max_tokens=1)
    pre = sv.preactivation_latex(tr, 4)
    # a_1 = W_x x_1 + W_h h_0 + b_h = [ln 2, 0] + [0, 0] + [0, -ln 3]
    assert pre.count(r"\begin{bmatrix}0.0000 \\ 0.0000\end{bmatrix}") == 1  # W_h h_0 = 0
    assert f"{math.log(2):.4f}" in pre and f"-{math.log(3):.4f}" in pre
    assert sv.hidden_latex(tr, 4).endswith(r"= \begin{bmatrix}0.6000 \\ -0.8000\end{bmatrix}")
    assert sv.input_latex(tr, 1) == r"x_{1} = \mathrm{emb}(\text{``a''}) = \begin{bmatrix}1.0 \\ 0.0\end{bmatrix}"
    assert r"h_0 = \mathbf{0}" in sv.h0_latex(tr)
    out = sv.output_latex(tr, model.vocab.tokens, 4)
    y = softmax_by_hand([3, -4, 0])
    o_row = re.search(r"o_\{1\} & (.*?) \\\\", out).group(1)
    y_row = re.search(r"y_\{1\} & (.*?) \\end", out).group(1)
    assert o_row.split(" & ") == ["3.0000", "-4.0000", "0.0000"]
    assert y_row.split(" & ") == [f"{v:.4f}" for v in y]
    assert sv.pick_latex(tr, 3) == rf"w_{{1}} = \arg\max_v\, y_{{1}}[v] = \text{{``a''}} \quad (y = {y[0]:.3f})"


def test_sampled_pick_shows_u_inside_the_chosen_tokens_slice_of_the_cdf():
    model = hand_model(b_y=(0.0, 6.5, 2.0))  # o_1 = [3, 2.5, 2]: every token plausible
    y = softmax_by_hand([3, 2.5, 2])  # decreasing already: the slices stack 'a', 'b', '</s>'
    F = np.cumsum(y)
    for seed in range(6):
        tr = rc.generate(model, "a", rc.Rule("sample"), max_tokens=1, seed=seed)[0]
        tex = sv.pick_latex(tr, 6)
        u = tr.draw
        lo, hi = map(float, re.search(r"([\d.]+) \\le u_\{1\} < ([\d.]+)", tex).groups())
        k = tr.token_id
        assert lo == pytest.approx(F[k] - y[k], abs=1e-6) and hi == pytest.approx(F[k], abs=1e-6)
        assert lo <= u < hi
        assert f"u_{{1}} = {u:.6f}" in tex
        assert "stacked most probable first" in tex


def test_output_table_lists_the_most_probable_tokens_of_a_large_vocabulary():
    model = rc.new_model(rc.make_corpus("abcdefghijklmnop", "char"), rc.TrainConfig(hidden_size=4, embed_dim=2))
    tr = rc.generate(model, "a", rc.GREEDY, max_tokens=1)[0]
    tex = sv.output_latex(tr, model.vocab.tokens, 3)
    head = tex.split(r"\hline")[0]  # the header row: one quoted token per column
    shown = re.findall(r"``(.*?)''", head)
    top = [model.vocab.tokens[i] for i in np.argsort(-tr.probs, kind="stable")[: sv.LIMIT - 1]]
    assert set(shown) == set(top) | {tr.token} and len(shown) <= sv.LIMIT
    assert r"\cdots" in tex


def test_next_input_is_the_chosen_tokens_embedding_row():
    model = hand_model()
    tr = rc.generate(model, "a", rc.GREEDY, max_tokens=1)[0]  # picks 'a' (o = [3, -4, 0])
    assert sv.next_input_latex(tr, model.params.embedding, 1).endswith(r"\begin{bmatrix}1.0 \\ 0.0\end{bmatrix}")
    forced = rc.generate(model, "a", rc.GREEDY, max_tokens=1, forced={1: 1})[0]
    assert sv.next_input_latex(forced, model.params.embedding, 1).endswith(r"\begin{bmatrix}0.0 \\ 1.0\end{bmatrix}")
    assert r"\text{(forced by you)}" in sv.pick_latex(forced, 3)


def test_shapes_latex_writes_W_y_as_V_by_H(trained_seed):
    tex = sv.shapes_latex(trained_seed.params)
    assert r"W_y \in \mathbb{R}^{5 \times 3}" in tex and r"b_h \in \mathbb{R}^{3}" in tex
    assert r"\mathrm{emb} \in \mathbb{R}^{5 \times 3}" in tex


# ---- settings and the URL --------------------------------------------------------------------------

def test_query_round_trip(trained_seed):
    s = sv.Settings(word="love", rule="sample", temperature=1.5, top_k=2, top_p=0.9, seed=7, max_len=12, step=3)
    q = sv.to_query(s)
    assert q == {"step": "3", "word": "love", "rule": "sample", "T": "1.5", "k": "2", "p": "0.9", "seed": "7",
                 "max": "12"}
    back, warnings = sv.from_query(q, sv.Settings(word="I"), trained_seed)
    assert back == s and warnings == []


@pytest.mark.parametrize("key, raw, hint", [
    ("step", "abc", "not a number"), ("step", "0", "step must be"), ("rule", "beam", "must be 'greedy' or 'sample'"),
    ("T", "-1", "temperature"), ("k", "-2", "top-k"), ("p", "1.5", "top-p"), ("seed", "-1", "seed"),
    ("max", "100000", "max length"), ("word", "lov", "closest known: love"),
])
def test_bad_query_values_fall_back_to_defaults_with_a_warning(trained_seed, key, raw, hint):
    defaults = sv.Settings(word="I")
    s, warnings = sv.from_query({key: raw, "seed": "5"} if key != "seed" else {key: raw}, defaults, trained_seed)
    (w,) = warnings
    assert f"`{key}={raw}`" in w and hint in w
    assert s == (replace(defaults, seed=5) if key != "seed" else defaults)


def test_check_refuses_unknown_words_with_suggestions(trained_seed):
    with pytest.raises(rc.VocabularyError, match="closest known: love"):
        sv.check(sv.Settings(word="lov"), trained_seed)
    sv.check(sv.Settings(word="I love"), trained_seed)  # a prompt of known words is fine


# ---- the path, forks, teacher forcing ----------------------------------------------------------------

def test_fork_path_reuses_earlier_steps_and_equals_generate_with_the_forced_token(trained_seed):
    cache, s = {}, sv.Settings(word="I", seed=0)
    path = sv.get_path(cache, trained_seed, 1, s, {})
    assert sv.get_path(cache, trained_seed, 1, s, {}) is path  # computed once
    learning = trained_seed.vocab.id("learning")
    forks = sv.fork_path(cache, trained_seed, 1, s, {}, path, 2, learning)
    assert forks == {2: learning}
    forked = sv.get_path(cache, trained_seed, 1, s, forks)
    assert forked[0] is path[0]  # step 1 is not recomputed
    assert forked[1].token == "learning" and forked[1].how == "forced"
    np.testing.assert_array_equal(forked[1].probs, path[1].probs)
    by_generate = rc.generate(trained_seed, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: learning})
    assert [t.token for t in forked] == [t.token for t in by_generate]
    for a, b in zip(forked, by_generate):
        np.testing.assert_allclose(a.h, b.h, atol=1e-15)


def test_forcing_earlier_drops_later_forks():
    assert sv.add_fork({2: 1, 5: 3}, 4, 0) == {2: 1, 4: 0}
    assert sv.add_fork({2: 1, 5: 3}, 2, 0) == {2: 0}


def test_cache_keeps_the_newest_paths(trained_seed):
    cache = {}
    for seed in range(sv.CACHE_SIZE + 3):
        sv.get_path(cache, trained_seed, 1, sv.Settings(word="I", seed=seed), {})
    assert len(cache) == sv.CACHE_SIZE
    assert sv.path_key(1, sv.Settings(word="I", seed=sv.CACHE_SIZE + 2), {}) in cache
    assert sv.path_key(1, sv.Settings(word="I", seed=0), {}) not in cache


def test_teacher_rows_read_y_t_of_the_true_next_token(trained_seed):
    # the reference sentence itself (Corpus.continuation) is tested in tests/test_tokens.py
    love = trained_seed.vocab.id("love")
    traces = rc.generate(trained_seed, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={3: love})  # I love deep love ...
    rows = sv.teacher_rows(trained_seed, traces, trained_seed.corpus().continuation("I"))
    n = len(traces)
    assert n >= 5  # past the reference sentence
    assert [r["true next"] for r in rows] == ["love", "deep", "learning", rc.EOS] + ["—"] * (n - 4)
    assert [r["on the training path"] for r in rows] == [True, True, True] + [False] * (n - 3)
    learning = trained_seed.vocab.id("learning")
    assert rows[2]["p(true next)"] == traces[2].probs[learning]
    assert all(math.isnan(r["p(true next)"]) for r in rows[4:])


def test_finished_reason_names_eos_or_the_limit(trained_seed):
    done = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    assert "picked </s> at step 4" in sv.finished_reason(done, 20)
    cut = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=2)
    assert "length limit of 2" in sv.finished_reason(cut, 2)


def test_path_markdown_highlights_the_current_input_and_marks_forced_picks(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20, forced={2: trained_seed.vocab.id("love")})
    md = sv.path_markdown(traces, 3, {2: 1})
    parts = md.split(" → ")
    assert parts[0] == "`I`" and parts[2] == "✋:orange-background[**`love`**]"


@pytest.mark.parametrize("key, raw", [("T", "7"), ("T", "0"), ("k", "99"), ("p", "0.001")])
def test_query_values_outside_the_widgets_ranges_are_refused(trained_seed, key, raw):
    s, (w,) = sv.from_query({key: raw}, sv.Settings(word="I"), trained_seed)
    assert s == sv.Settings(word="I") and f"`{key}={raw}`" in w
