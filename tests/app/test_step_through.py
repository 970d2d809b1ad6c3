"""The Step-Through page under AppTest: the step area is sent the whole walk once, with every
number and chart equal to ``rnn_core.generate``'s trace for the same settings; the browser's
events (a fork, back to the original path, a reveal) change it; an unknown word gives st.error;
the URL's query string reproduces a walk; guess mode holds the walk only as far as revealed;
tokens that mean something to Markdown, HTML or LaTeX.

(Stepping, keys, Play and the animation run in the browser: tests/browser.)"""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import open_app_page, shown
from tests.app.walk import REPORTER, component, record, send
from tests.hostile_tokens import hostile_model
from tests.walk_record import numbers, piece, table_rows, text
from ui.common.session import seed_model_bytes
from ui.step.equations import num

PAGE = "pages/step-through.py"


def open_page(query: dict | None = None, model: rc.Model | None = None) -> AppTest:
    return open_app_page(PAGE, model, query)


def seed_model() -> rc.Model:
    return rc.from_bytes(seed_model_bytes())


def assert_step_matches(step: dict, tr: rc.StepTrace, prec: int = 3) -> None:
    """Every number of step t in the record equals the trace's, rounded to ``prec`` decimals."""
    assert step["t"] == tr.t and step["input"] == tr.input
    html = "".join(h for _, h in step["math"])
    for name, values in [("x", tr.x), ("Wx_x", tr.Wx_x), ("Wh_h", tr.Wh_h), ("b_h", tr.b_h), ("a", tr.a),
                         ("h", tr.h), ("o", tr.logits), ("y", tr.probs)]:
        assert numbers(html, name) == [num(v, prec) for v in values], f"{name} at step {tr.t}"
    bars = step["dist"]["data"]  # y_t, or q_t filled and y_t outlined when a rule reshaped y_t
    np.testing.assert_allclose(bars[-1]["y"], tr.probs, rtol=0, atol=1e-12)
    assert [i for i, w in enumerate(bars[0]["marker"]["line"]["width"]) if w > 0] == [tr.token_id]
    h_prev, h = step["hidden"]["data"]
    np.testing.assert_allclose(h_prev["y"], tr.h_prev, atol=1e-12)
    np.testing.assert_allclose(h["y"], tr.h, atol=1e-12)
    assert step["column"]["pick"] == tr.token


def test_the_whole_walk_is_sent_once_and_every_number_equals_the_trace():
    at = open_page()
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)
    walk = record(at)
    assert expected[-1].token == rc.EOS and len(walk["steps"]) == len(expected) and walk["complete"]
    for step, tr in zip(walk["steps"], expected):
        assert_step_matches(step, tr)
    assert walk["steps"][-1]["end"] == f"Generation finished: it picked {rc.EOS} at step {len(expected)}."
    assert walk["goto"]["step"] == 1 and walk["title"] == "Step-Through"
    assert walk["assets"]["plotly"].endswith(".min.js") and walk["file"] == "walk-I-love-deep-learning.html"


def test_a_rerun_that_changes_nothing_sends_the_very_same_walk_and_no_step_reporter():
    at = open_page()
    first = component(at, "rnn_lab.walk").proto.json
    at.run()
    assert component(at, "rnn_lab.walk").proto.json == first  # the browser keeps the step on screen
    assert component(at, REPORTER) is None  # no view open: stepping sends the server nothing


def test_step_one_shows_h0_zero_and_W_y_as_V_by_H():
    at = open_page()
    first = record(at)["steps"][0]
    assert "h0 = 0" in text(piece(first, "x")) and "Whh0" in text(piece(first, "a"))
    assert "Wy is V×H = 5×3" in text(piece(first, "oy"))
    assert any(r"W_y \in \mathbb{R}^{5\times3}" in e.value for e in at.latex)
    assert any("3\\times3" in m.value and "5 × 3" in m.value for m in at.markdown)


def test_greedy_from_I_follows_the_seed_sentence_with_argmax_picks():
    at = open_page()
    at.radio(key="step_rule").set_value("greedy").run()
    expected = rc.generate(seed_model(), "I", rc.GREEDY, max_tokens=20)
    assert [tr.token for tr in expected] == ["love", "deep", "learning", rc.EOS]
    for step, tr in zip(record(at)["steps"], expected):
        assert_step_matches(step, tr)
        assert "arg max" in text(piece(step, "pick")) and step["column"]["how"] == "argmax"


def test_unknown_word_gives_an_error_with_the_closest_words_and_keeps_the_walk():
    at = open_page()
    before = record(at)
    box = at.selectbox(key="step_word")
    box.options = [*box.options, "lov"]  # typing a new option (accept_new_options)
    box.set_value("lov").run()
    assert not at.exception
    (err,) = [shown(e.value) for e in at.error]
    assert "'lov' is not in the vocabulary" in err and "love" in err
    assert record(at)["steps"] == before["steps"]


def test_a_fork_from_the_browser_changes_later_steps_keeps_earlier_ones_and_goes_into_the_link():
    model = seed_model()
    at = open_page()
    original = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    learning = model.vocab.id("learning")
    assert original[1].token_id != learning
    seq = record(at)["goto"]["seq"]
    send(at, "fork", {"t": 2, "token": learning})  # a click on the bar of "learning" at step 2
    forked = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: learning})
    walk = record(at)
    assert walk["goto"] == {"seq": seq + 1, "step": 2}  # the browser stays on the forked step
    assert_step_matches(walk["steps"][0], original[0])
    for step, tr in zip(walk["steps"][1:], forked[1:]):
        assert_step_matches(step, tr)
    assert "(forced by you; " in text(piece(walk["steps"][1], "pick"))
    assert at.query_params["force"] == "2:learning"
    assert walk["forks"]["text"] == "you forced step 2 → “learning”; the path forked at step 2."
    assert walk["forks"]["original"][:3] == ["I", "love", "deep"]
    send(at, "unfork", {"t": 3})
    walk = record(at)
    assert walk["forks"] is None and walk["goto"] == {"seq": seq + 2, "step": 3}
    for step, tr in zip(walk["steps"], original):
        assert_step_matches(step, tr)
    assert "force" not in at.query_params


@pytest.mark.parametrize("payload", [{"t": 1, "token": 99}, {"t": "x", "token": 1}, {"token": 1}, None])
def test_a_malformed_fork_changes_nothing(payload):
    at = open_page()
    before = record(at)
    send(at, "fork", payload)
    assert record(at) == before and "force" not in at.query_params


def test_a_fork_on_a_prompt_step_says_why_it_cannot():
    at = open_page({"word": "I love", "rule": "greedy"})
    send(at, "fork", {"t": 1, "token": 0})
    (err,) = [shown(e.value) for e in at.error]
    assert "step 1 feeds the prompt" in err


@pytest.mark.parametrize("query", [
    {"step": "2", "word": "love", "rule": "sample", "seed": "7", "T": "1.5"},
    {"step": "2", "word": "I", "rule": "sample", "seed": "3", "k": "2", "p": "0.9"},
    {"step": "3", "word": "I", "rule": "greedy"},
])
def test_query_string_reproduces_the_walk_and_opens_at_its_step(query):
    at = open_page(query)
    rule = rc.Rule(query["rule"], float(query.get("T", 1)), int(query.get("k", 0)), float(query.get("p", 1)))
    expected = rc.generate(seed_model(), query["word"], rule, max_tokens=20, seed=int(query.get("seed", 0)))
    walk = record(at)
    assert walk["goto"]["step"] == int(query["step"])
    for step, tr in zip(walk["steps"], expected):
        assert_step_matches(step, tr)
    assert not at.warning
    for k, v in query.items():
        assert at.query_params[k] == v


def test_forced_tokens_in_the_link_reproduce_the_forked_path():
    model = seed_model()
    at = open_page({"step": "3", "force": "2:learning"})
    forked = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: model.vocab.id("learning")})
    assert_step_matches(record(at)["steps"][2], forked[2])
    assert not at.warning and at.query_params["force"] == "2:learning"


def test_top_k_draws_q_filled_and_writes_q_with_its_numbers():
    at = open_page({"rule": "sample", "k": "2", "seed": "1"})
    (tr, *_) = rc.generate(seed_model(), "I", rc.Rule("sample", top_k=2), max_tokens=20, seed=1)
    assert len(tr.kept) == 2
    step = record(at)["steps"][0]
    q_bars, y_bars = step["dist"]["data"]
    np.testing.assert_allclose(q_bars["y"], tr.q, atol=1e-12)  # what u was read against
    np.testing.assert_allclose(y_bars["y"], tr.probs, atol=1e-12)
    grey = "rgba(199, 204, 212, "  # ui.common.charts.GREY, #c7ccd4: the cut tokens
    assert [i for i, c in enumerate(q_bars["marker"]["color"]) if not c.startswith(grey)] == sorted(tr.kept)
    e = np.exp(tr.logits - tr.logits.max())
    mass = (e / e.sum())[list(tr.kept)].sum()  # what softmax(o_1) gave the two kept tokens
    assert text(piece(step, "q")) == f"q1[v] = softmax(o1 / 1)[v] / {mass:.3f}"
    assert f"(q1 = {num(tr.q[tr.token_id], 3)})" in text(piece(step, "pick"))  # the pick line prints q
    assert "2 tokens kept by top-k = 2" in step["notes"]["q"]
    assert table_rows(piece(step, "table"))["q"] == [num(v, 3) for v in tr.q]


@pytest.mark.parametrize("query, key", [
    ({"step": "abc"}, "step"), ({"rule": "beam"}, "rule"), ({"T": "-1"}, "T"), ({"p": "2"}, "p"),
    ({"word": "lov"}, "word"), ({"seed": "-5"}, "seed"), ({"step": "99"}, "step"),
    ({"force": "2:lov"}, "force"), ({"force": "9:love"}, "force"),
])
def test_invalid_query_values_fall_back_with_a_warning(query, key):
    at = open_page(query)
    assert not at.exception
    (warning,) = [shown(w.value) for w in at.warning]
    wanted = {"99": "asks for step 99", "9:love": "forced token at step 9"}.get(query[key], f"{key}={query[key]}")
    assert wanted in warning
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)
    walk = record(at)
    assert walk["goto"]["step"] == (len(expected) if query.get("step") == "99" else 1)
    for step, tr in zip(walk["steps"], expected):
        assert_step_matches(step, tr)
    assert "force" not in at.query_params


def test_guess_first_sends_each_step_only_when_revealed_and_scores_the_guess():
    model = seed_model()
    expected = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    at = open_page({"guess": "1"})
    walk = record(at)
    assert len(walk["steps"]) == 1 and "dist" not in walk["steps"][0] and not walk["complete"]
    assert walk["score"] == "no guesses yet"
    love = model.vocab.id("love")
    send(at, "reveal", {"t": 1, "guess": love})
    walk = record(at)
    assert_step_matches(walk["steps"][0], expected[0])
    assert len(walk["steps"]) == 2 and "dist" not in walk["steps"][1]  # step 2 waits for its guess
    picked = expected[0].token == "love"
    assert walk["steps"][0]["verdict"].startswith("✅" if picked else "❌")
    assert walk["score"].startswith(f"{int(picked)} of 1 guesses were the pick")
    send(at, "reveal", {"t": 3, "guess": 0})  # not the step waiting: refused
    assert len(record(at)["steps"]) == 2
    send(at, "reveal", {"t": 2, "guess": None})  # revealed without a guess: nothing scored
    assert len(record(at)["steps"]) == 3 and record(at)["score"].startswith(f"{int(picked)} of 1 guesses")


def test_guess_mode_turned_on_mid_walk_keeps_what_was_seen():
    at = open_page({"step": "3"})
    at.toggle(key="step_guess").set_value(True).run()
    walk = record(at)
    assert len(walk["steps"]) == 3 and "dist" in walk["steps"][1] and "dist" not in walk["steps"][2]


def test_a_prompt_of_two_words_feeds_both_before_picking():
    at = open_page({"word": "I love", "rule": "greedy", "step": "2"})
    expected = rc.generate(seed_model(), "I love", rc.GREEDY, max_tokens=20)
    assert expected[0].how == "prompt"
    walk = record(at)
    for step, tr in zip(walk["steps"], expected):
        assert_step_matches(step, tr)
    first = walk["steps"][0]
    assert "(the next token of the prompt; " in text(piece(first, "pick")) and not first["forkable"]


def test_tokens_that_mean_something_to_markdown_html_or_latex_are_shown_as_text():
    at = open_page(model=hostile_model())
    assert not at.exception
    walk = record(at)
    assert walk["steps"][0]["input"] == "<b>" and "“&lt;b&gt;”" in piece(walk["steps"][0], "x")
    for step in walk["steps"]:
        assert "<b>" not in json.dumps(step["dist"]["layout"]["title"]) + json.dumps(step["dist"]["data"][0]["x"])


def test_a_link_followed_later_in_the_session_replaces_the_sessions_walk():
    """Generate's tree opens a prefix with a link (word=...); a visitor who had already been on
    another walk must land on the link's, not on the session's old one."""
    at = open_page()
    send(at, "fork", {"t": 1, "token": 2})
    at.switch_page("pages/home.py").run()
    at.query_params.clear()  # a browser clears them when the page changes; AppTest keeps them
    at.query_params["word"] = "I love"
    at.switch_page(PAGE).run()
    assert not at.exception
    s = at.session_state["step_settings"]
    assert s.word == "I love" and not at.session_state["step_forks"]
    first = record(at)["steps"][0]
    assert first["input"] == "I" and "(the next token of the prompt; " in text(piece(first, "pick"))


def test_a_link_forcing_hundreds_of_steps_gives_one_warning():
    force = ",".join(f"{t}:love" for t in range(2, 502))
    at = open_page({"force": force})
    assert not at.exception
    (warning,) = [shown(w.value) for w in at.warning]
    # steps 2..20 take "love" (a walk of 20 tokens); the 481 forced steps past its end are refused together
    assert warning.startswith("Ignored the forced token at step 21 in the link (the path has 20 steps).")
    assert warning.endswith("… and 478 more entries of the link were ignored.")
    assert len(warning) < 600


def test_the_knobs_are_generates_and_refuse_a_value_out_of_range_with_rnn_cores_message():
    """Top-k is the same box as Generate's: 99 > V = 5 is refused, the walk keeps top-k 0."""
    at = open_page()
    before = record(at)
    at.number_input(key="step_k").set_value(99).run()
    assert not at.exception
    (warning,) = [shown(w.value) for w in at.warning]
    assert "top-k must be at most the vocabulary size 5" in warning and "Still using 0" in warning
    assert record(at)["steps"] == before["steps"] and at.session_state["step_settings"].rule.top_k == 0
    at.number_input(key="step_k").set_value(2).run()
    assert at.session_state["step_settings"].rule.top_k == 2 and at.query_params["k"] == "2"
