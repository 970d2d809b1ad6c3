"""ui/step/describe.py: a walk described once, as the step area and the offline file draw it.

Each step's numbers are recomputed here from the trace's own fields and the model's weights (not
read back from the code under test); the loop's columns name what was fed in and picked; guess
mode holds the walk only as far as revealed; every token reaches the record escaped or as text.
"""

import json
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.hostile_tokens import HOSTILE, hostile_model
from tests.walk_record import numbers, piece, table_rows, text
from ui.common.text import show_token
from ui.step.describe import WalkView, about_text, describe_walk, loop_column
from ui.step.equations import num


def walk(model: rc.Model, rule: rc.Rule, word: str = "I", forks: dict | None = None, **kw) -> list[rc.StepTrace]:
    return rc.generate(model, [word], rule, max_tokens=kw.get("max_len", 20), seed=kw.get("seed", 0),
                       forced=forks or {})


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def assert_shown(shown: list[str], values, prec: int, what: str) -> None:
    assert shown == [num(v, prec) for v in values], what


def assert_step_numbers(step: dict, tr: rc.StepTrace, model: rc.Model, prec: int) -> None:
    """The equations of one step, each number checked against what the trace's fields give."""
    math_html = "".join(html for _, html in step["math"])
    p = model.params
    a = tr.Wx_x + tr.Wh_h + tr.b_h  # a_t = W_x x_t + W_h h_{t-1} + b_h, summed here
    o = p.W_y @ np.tanh(a) + p.b_y  # o_t from the model's own W_y, b_y
    np.testing.assert_allclose(tr.x, p.embedding[tr.input_id])  # the trace really is this model's step
    assert_shown(numbers(math_html, "x"), p.embedding[tr.input_id], prec, f"x_{tr.t}")
    assert_shown(numbers(math_html, "Wx_x"), p.W_x @ tr.x, prec, f"W_x x_{tr.t}")
    assert_shown(numbers(math_html, "Wh_h"), p.W_h @ tr.h_prev, prec, f"W_h h_{tr.t - 1}")
    assert_shown(numbers(math_html, "b_h"), p.b_h, prec, "b_h")
    assert_shown(numbers(math_html, "a"), a, prec, f"a_{tr.t}")
    assert_shown(numbers(math_html, "h"), np.tanh(a), prec, f"h_{tr.t}")
    assert_shown(numbers(math_html, "o"), o, prec, f"o_{tr.t}")
    assert_shown(numbers(math_html, "y"), softmax(o), prec, f"y_{tr.t}")
    if tr.how == "sampled":
        assert_shown(numbers(math_html, "u"), [tr.draw], prec, f"u_{tr.t}")


@pytest.mark.parametrize("prec", [1, 3, 6])
def test_every_steps_numbers_are_the_traces_at_the_chosen_decimals(trained_seed, prec):
    rule = rc.Rule("sample")
    traces = walk(trained_seed, rule)
    record = describe_walk(trained_seed, traces, WalkView(rule=rule, max_len=20, decimals=prec))
    assert len(record["steps"]) == len(traces) == 4 and record["complete"]  # I -> love deep learning </s>
    for step, tr in zip(record["steps"], traces):
        assert_step_numbers(step, tr, trained_seed, prec)


def test_each_steps_charts_hold_its_distribution_and_hidden_state(trained_seed):
    traces = walk(trained_seed, rc.GREEDY)
    record = describe_walk(trained_seed, traces, WalkView(rule=rc.GREEDY, max_len=20))
    for step, tr in zip(record["steps"], traces):
        bars = step["dist"]["data"][0]
        np.testing.assert_allclose(bars["y"], softmax(trained_seed.params.W_y @ tr.h + trained_seed.params.b_y))
        assert bars["customdata"] == list(range(5))  # a click on a bar names its token
        assert [i for i, w in enumerate(bars["marker"]["line"]["width"]) if w > 0] == [tr.token_id]
        h_prev, h = step["hidden"]["data"]
        np.testing.assert_allclose(h_prev["y"], tr.h_prev)
        np.testing.assert_allclose(h["y"], np.tanh(tr.Wx_x + tr.Wh_h + tr.b_h))
        assert step["dist"]["layout"]["font"]["size"] >= 14  # ticks readable from the back of a room
    json.dumps(record, allow_nan=False)  # plain data, all of it


def test_presenter_mode_enlarges_the_chart_text(trained_seed):
    traces = walk(trained_seed, rc.GREEDY)
    normal, big = (describe_walk(trained_seed, traces, WalkView(rule=rc.GREEDY, max_len=20, big=b)) for b in (0, 1))
    assert big["steps"][0]["dist"]["layout"]["font"]["size"] > normal["steps"][0]["dist"]["layout"]["font"]["size"]
    assert big["big"] and not normal["big"]


def test_the_last_step_says_why_the_walk_ends(trained_seed):
    traces = walk(trained_seed, rc.GREEDY)
    steps = describe_walk(trained_seed, traces, WalkView(rule=rc.GREEDY, max_len=20))["steps"]
    assert [("end" in s) for s in steps] == [False, False, False, True]
    assert steps[-1]["end"] == "Generation finished: it picked </s> at step 4."  # text: shown as is
    short = walk(trained_seed, rc.GREEDY, max_len=2)
    end = describe_walk(trained_seed, short, WalkView(rule=rc.GREEDY, max_len=2))["steps"][-1]["end"]
    assert end == "Generation finished: it reached the length limit of 2 generated tokens."


def test_loop_columns_name_the_input_the_pick_and_the_top_choice_when_the_pick_was_not_it(trained_seed):
    vocab = trained_seed.vocab.tokens
    traces = walk(trained_seed, rc.GREEDY, forks={2: trained_seed.vocab.id("I")})
    assert loop_column(traces[0], vocab, False, True) == {"x": "I", "pick": "love", "p": f"{traces[0].p_token:.2f}",
                                                          "how": "argmax"}
    forced = loop_column(traces[1], vocab, True, True)
    top = int(traces[1].probs.argmax())
    assert forced == {"x": "love", "pick": "I", "p": f"{traces[1].p_token:.2f}", "how": "forced",
                      "top": vocab[top], "top_p": f"{traces[1].probs[top]:.2f}"}
    assert loop_column(traces[0], vocab, False, False) == {"x": "I"}  # guessing: nothing about the pick


def test_a_long_token_is_cut_in_its_loop_box_and_spaces_are_visible():
    corpus = rc.make_corpus("a b", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    tr = rc.generate(model, [" "], rc.GREEDY, max_tokens=1)[0]
    assert loop_column(tr, model.vocab.tokens, False, True)["x"] == "␣"


def test_forced_tokens_are_named_with_both_paths_up_to_the_picks_shown(trained_seed):
    forks = {2: trained_seed.vocab.id("learning")}
    traces, original = walk(trained_seed, rc.GREEDY, forks=forks), walk(trained_seed, rc.GREEDY)
    record = describe_walk(trained_seed, traces, WalkView(rule=rc.GREEDY, max_len=20), forks, original)
    assert record["forks"]["text"] == "you forced step 2 → “learning”; the path forked at step 2."
    assert record["forks"]["original"] == ["I", "love", "deep", "learning", "</s>"]
    assert record["forks"]["forked"][:3] == ["I", "love", "learning"]
    assert "(forced by you; " in text(piece(record["steps"][1], "pick"))
    assert record["steps"][1]["column"]["how"] == "forced"


def test_the_what_if_list_offers_the_most_probable_tokens_first(trained_seed):
    traces = walk(trained_seed, rc.GREEDY)
    step = describe_walk(trained_seed, traces, WalkView(rule=rc.GREEDY, max_len=20))["steps"][0]
    order = np.argsort(-traces[0].probs, kind="stable")
    assert [c[0] for c in step["choices"]] == order.tolist() and step["forkable"]
    prompt = describe_walk(trained_seed, rc.generate(trained_seed, "I love", rc.GREEDY, max_tokens=3),
                           WalkView(rule=rc.GREEDY, max_len=3))["steps"][0]
    assert not prompt["forkable"] and prompt["choices"] == []  # a prompt step has no pick to fork


# ---------------------------------------------------------------- guess first


@pytest.mark.parametrize("revealed", [0, 1, 2])
def test_guessing_the_record_holds_the_walk_only_as_far_as_revealed(trained_seed, revealed):
    """Steps 1..revealed whole, then the next step without its pick: that step's record names no
    token but the one fed in (its equations, hidden state and loop column stop at h_t)."""
    rule = rc.Rule("sample")
    traces = walk(trained_seed, rule)
    view = WalkView(rule=rule, max_len=20, guess=True, revealed=revealed, guesses={1: 1})
    record = describe_walk(trained_seed, traces, view)
    steps = record["steps"]
    assert len(steps) == revealed + 1 and not record["complete"]
    waiting = steps[-1]
    assert set(waiting) == {"t", "input", "column", "math", "hidden"}
    assert [k for k, _ in waiting["math"]] == ["x", "a", "h"]
    named = json.dumps(waiting, ensure_ascii=False)
    for token in set(trained_seed.vocab.tokens) - {traces[revealed].input}:
        assert f"“{show_token(token)}”" not in named and f'"{token}"' not in named, token
    assert record["forks"] is None and "end" not in steps[-1]
    assert record["vocab"] == list(trained_seed.vocab.tokens)  # the guess buttons: every token alike


def test_a_revealed_guess_gets_its_verdict_and_the_score(trained_seed):
    rule = rc.Rule("sample")
    traces = walk(trained_seed, rule)
    love = trained_seed.vocab.id("love")
    view = WalkView(rule=rule, max_len=20, guess=True, revealed=1, guesses={1: love})
    record = describe_walk(trained_seed, traces, view)
    right = traces[0].token == "love"
    assert record["steps"][0]["verdict"].startswith("✅" if right else "❌")
    assert record["score"].startswith(f"{int(right)} of 1 guesses were the pick")
    fresh = describe_walk(trained_seed, traces, WalkView(rule=rule, max_len=20, guess=True))
    assert fresh["score"] == "no guesses yet"


def test_the_about_line_names_the_model_W_y_s_shape_and_the_rule(trained_seed):
    view = WalkView(rule=rc.Rule("sample", temperature=1.5), max_len=20)
    about = about_text(trained_seed, "I", 7, view, {2: 1})
    assert "V = 5, E = 3, H = 3: W_y is V × H = 5 × 3 (the source document writes it 3 × 3)" in about
    assert "rule: sample T=1.5 · random seed 7 · forced: step 2 → “love” · 3 decimals" in about


# ---------------------------------------------------------------- hostile tokens


def test_tokens_that_mean_something_to_html_reach_the_record_escaped_or_as_text():
    """Every hostile token is fed in once: the equations' HTML holds only its own tags; the title's
    token and the loop's are text (drawn with textContent); the charts' labels are Plotly-escaped."""
    model = hostile_model()
    forks = {t: model.vocab.id(tok) for t, tok in enumerate(HOSTILE[1:-1], start=1)}
    traces = walk(model, rc.GREEDY, word="<b>", forks=forks, max_len=12)
    record = describe_walk(model, traces, WalkView(rule=rc.GREEDY, max_len=12), forks, traces)
    own = {"span", "i", "sub", "sup", "b", "table", "tr", "th", "td"}
    for step, tr in zip(record["steps"], traces):
        html = "".join(h for _, h in step["math"])
        assert set(re.findall(r"<\s*([a-zA-Z]+)", html)) <= own
        assert step["input"] == show_token(tr.input) and step["column"]["x"] == show_token(tr.input)[:9]
        assert f"emb(“{show_token(tr.input)}”)" in text(piece(step, "x"))
    first = record["steps"][0]
    assert "“&lt;b&gt;”" in piece(first, "x")
    assert "&lt;b&gt;" in first["dist"]["data"][0]["x"] and "<b>" not in first["dist"]["data"][0]["x"]
    assert "“␣”" in table_rows(piece(first, "table"))["head"]  # a space token is visible


def test_a_rooms_votes_go_beside_y_t_as_shares_and_one_line():
    """The class's votes at a revealed step (ui.room.panel.reveal_summary's dict): a marker at each
    token's share, and counts, the pick's votes and the score in one line."""
    model = hostile_model()
    traces = walk(model, rc.GREEDY, word="<b>", max_len=3)
    pick = show_token(traces[0].token)
    summary = {"step": 1, "votes": 4, "pick": pick, "pick_votes": 3,
               "rows": [{"token": pick, "votes": 3, "share": 0.75}, {"token": "<b>", "votes": 1, "share": 0.25}],
               "score": {"steps": 1, "class_mean": np.log(0.75), "model_mean": np.log(traces[0].p_token), "silent": []},
               "explained": "how the score is counted"}
    view = WalkView(rule=rc.GREEDY, max_len=3, votes={1: summary})
    step = describe_walk(model, traces, view)["steps"][0]
    marks = step["dist"]["data"][-1]
    shares = dict(zip(marks["x"], marks["y"]))
    assert shares["&lt;b&gt;"] == 0.25 and shares[step["dist"]["data"][0]["x"][traces[0].token_id]] == 0.75
    assert sum(shares.values()) == 1.0
    assert step["class"]["text"].startswith(f"Class: 4 votes: “{pick}” 3 (75%), “<b>” 1 (25%) · the pick “{pick}”: 3")
    assert f"class -0.29 (0.75), model {np.log(traces[0].p_token):.2f}" in step["class"]["text"]
    plain = describe_walk(model, traces, WalkView(rule=rc.GREEDY, max_len=3))["steps"][0]
    assert plain["class"] is None and len(plain["dist"]["data"]) == 1
