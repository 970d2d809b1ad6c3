"""The Step-Through page under AppTest: Next walks to the end with every number and chart equal to
``rnn_core.generate``'s trace for the same settings; Previous/Reset; keys; an unknown word gives
st.error; forcing a token forks the path and goes into the URL; the URL's query string reproduces
a view; guess mode; autoplay stops at </s>; tokens that mean something to Markdown, HTML or LaTeX.

(A click inside the page's fragment reruns the whole script under AppTest; the fragment itself
is exercised in tests/browser.)"""

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import open_app_page, shown
from tests.hostile_tokens import hostile_model
from ui.state import seed_model_bytes
from ui.step_latex import num

PAGE = "pages/step-through.py"


def open_page(query: dict | None = None, model: rc.Model | None = None) -> AppTest:
    return open_app_page(PAGE, model, query)


def seed_model() -> rc.Model:
    return rc.from_bytes(seed_model_bytes())


def button(at: AppTest, key: str):
    (found,) = [b for b in at.button if b.key == key]
    return found


def click(at: AppTest, key: str) -> None:
    button(at, key).click().run()
    assert not at.exception, at.exception


def title_step(at: AppTest) -> int:
    (title,) = [t.value for t in at.title]
    return int(re.search(r"step (\d+) of", title).group(1))


def array_of(values) -> np.ndarray:
    """A Plotly JSON array: a plain list, or Plotly 7's base64 typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.array(values, dtype=float)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart(at: AppTest, title_start: str) -> dict:
    (found,) = [s for s in charts(at) if s["layout"]["title"]["text"].startswith(title_start)]
    return found


def latex_text(at: AppTest) -> str:
    return "\n".join(e.value for e in at.latex)


def assert_step_matches(at: AppTest, tr: rc.StepTrace, prec: int = 3) -> None:
    """Every number of step t on the page equals the trace's, rounded to ``prec`` decimals."""
    assert title_step(at) == tr.t
    tex = latex_text(at)
    for name, values in [("x", tr.x), ("W_x x", tr.Wx_x), ("W_h h", tr.Wh_h), ("b_h", tr.b_h), ("a", tr.a),
                         ("h", tr.h), ("o", tr.logits), ("y", tr.probs)]:
        for v in values:
            assert num(v, prec) in tex, f"{name} value {v} missing at step {tr.t}"
    bars = chart(at, f"y_{tr.t} = softmax")["data"][0]
    np.testing.assert_allclose(array_of(bars["y"]), tr.probs, rtol=0, atol=1e-12)
    widths = bars["marker"]["line"]["width"]
    assert [i for i, w in enumerate(widths) if w > 0] == [tr.token_id]  # only the chosen token outlined
    hidden = chart(at, "hidden state")
    np.testing.assert_allclose(array_of(hidden["data"][0]["y"]), tr.h_prev, atol=1e-12)
    np.testing.assert_allclose(array_of(hidden["data"][1]["y"]), tr.h, atol=1e-12)
    if at.toggle(key="step_show_3d").value:
        traj = chart(at, "trajectory")["data"][0]
        points = np.stack([array_of(traj[c]) for c in "xyz"], axis=1)
        assert points.shape == (tr.t + 1, 3)
        np.testing.assert_allclose(points[-1], tr.h, atol=1e-12)


def test_next_walks_to_the_end_and_every_number_equals_the_trace():
    at = open_page()
    at.toggle(key="step_show_3d").set_value(True).run()  # the path of h in 3-D too
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)
    assert expected[-1].token == rc.EOS
    for tr in expected:
        assert_step_matches(at, tr)
        assert not [s for s in at.success if "Generation finished" in s.value] or tr is expected[-1]
        if tr is not expected[-1]:
            click(at, "step_next")
    assert button(at, "step_next").disabled and button(at, "step_next_twin").disabled
    (done,) = [s.value for s in at.success if "Generation finished" in s.value]
    assert rc.EOS in shown(done)
    assert at.query_params["step"] == str(len(expected))


def test_next_and_previous_answer_the_arrow_keys_and_a_clickers_page_keys():
    at = open_page()
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.key in
                 ("step_next", "step_next_twin", "step_prev", "step_prev_twin")}
    assert shortcuts == {"step_next": "right", "step_next_twin": "pagedown", "step_prev": "left",
                         "step_prev_twin": "pageup"}
    click(at, "step_next_twin")  # PageDown
    click(at, "step_next_twin")
    assert title_step(at) == 3
    click(at, "step_prev_twin")  # PageUp
    assert title_step(at) == 2


def test_step_one_shows_h0_zero_and_the_shapes():
    at = open_page()
    tex = latex_text(at)
    assert r"h_0 = \mathbf{0}" in tex and r"_{W_h h_{0}}" in tex
    assert r"W_y \in \mathbb{R}^{5 \times 3}" in tex and r"W_h \in \mathbb{R}^{3 \times 3}" in tex
    assert any("3\\times3" in m.value and "5 × 3" in m.value for m in at.markdown)


def test_previous_and_the_first_step():
    at = open_page()
    assert button(at, "step_prev").disabled
    click(at, "step_next")
    click(at, "step_next")
    assert title_step(at) == 3
    click(at, "step_prev")
    assert title_step(at) == 2 and at.query_params["step"] == "2"


def test_greedy_from_I_follows_the_seed_sentence_with_argmax_picks():
    at = open_page()
    at.radio(key="step_rule").set_value("greedy").run()
    expected = rc.generate(seed_model(), "I", rc.GREEDY, max_tokens=20)
    assert [tr.token for tr in expected] == ["love", "deep", "learning", rc.EOS]
    for tr in expected:
        assert_step_matches(at, tr)
        assert r"\arg\max" in latex_text(at)
        if tr is not expected[-1]:
            click(at, "step_next")


def test_unknown_word_gives_an_error_with_the_closest_words_and_keeps_the_path():
    at = open_page()
    # typing a new option (accept_new_options): the browser adds it to the options and selects it
    box = at.selectbox(key="step_word")
    box.options = [*box.options, "lov"]
    box.set_value("lov").run()
    assert not at.exception
    (err,) = [shown(e.value) for e in at.error]
    assert "'lov' is not in the vocabulary" in err and "love" in err
    assert title_step(at) == 1 and r"\text{``I''}" in latex_text(at)


def test_forcing_a_token_forks_later_steps_keeps_earlier_ones_and_goes_into_the_link():
    model = seed_model()
    at = open_page()
    click(at, "step_next")  # step 2: feed 'love'
    original = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    learning = model.vocab.id("learning")
    assert original[1].token_id != learning
    at.selectbox(key="step_force_box").set_value(learning).run()
    (force,) = [b for b in at.button if b.label == "Force it"]
    force.click().run()
    forked = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: learning})
    assert_step_matches(at, forked[1])
    assert r"\text{(forced by you)}" in latex_text(at)
    assert at.query_params["force"] == "2:learning"
    what_if = shown(" ".join(m.value for m in at.markdown if "What if" in m.value))
    assert "the path forked at step 2" in what_if
    # up to here only: no spoiler of either path's later tokens
    assert "original, up to here: *I love deep*" in what_if and "forked, up to here: *I love learning*" in what_if
    click(at, "step_prev")
    assert_step_matches(at, original[0])  # step 1 is the same on both paths
    click(at, "step_next")
    click(at, "step_next")
    assert_step_matches(at, forked[2])  # step 3 is fed the forced token
    assert forked[2].input == "learning"
    (back,) = [b for b in at.button if b.label == "↩ Back to the original path"]
    back.click().run()
    assert_step_matches(at, original[2])
    assert "force" not in at.query_params


@pytest.mark.parametrize("query", [
    {"step": "2", "word": "love", "rule": "sample", "seed": "7", "T": "1.5"},
    {"step": "2", "word": "I", "rule": "sample", "seed": "3", "k": "2", "p": "0.9"},
    {"step": "3", "word": "I", "rule": "greedy"},
])
def test_query_string_reproduces_the_view(query):
    at = open_page(query)
    rule = rc.Rule(query["rule"], float(query.get("T", 1)), int(query.get("k", 0)), float(query.get("p", 1)))
    expected = rc.generate(seed_model(), query["word"], rule, max_tokens=20, seed=int(query.get("seed", 0)))
    tr = expected[int(query["step"]) - 1]
    assert title_step(at) == tr.t
    for v in (*tr.h, *tr.logits, *tr.probs):
        assert num(v, 3) in latex_text(at)
    assert not at.warning
    for k, v in query.items():
        assert at.query_params[k] == v


def test_forced_tokens_in_the_link_reproduce_the_forked_path():
    """Links lost forks: a forked path was not in the URL, the link showed the original."""
    model = seed_model()
    at = open_page({"step": "3", "force": "2:learning"})
    forked = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: model.vocab.id("learning")})
    assert_step_matches(at, forked[2])
    assert not at.warning and at.query_params["force"] == "2:learning"


def test_top_k_draws_q_filled_and_writes_q_with_its_numbers():
    at = open_page({"rule": "sample", "k": "2", "seed": "1"})
    (tr, *_) = rc.generate(seed_model(), "I", rc.Rule("sample", top_k=2), max_tokens=20, seed=1)
    assert len(tr.kept) == 2
    q_bars, y_bars = chart(at, "q_1 (filled) and y_1 (outline)")["data"]
    np.testing.assert_allclose(array_of(q_bars["y"]), tr.q, atol=1e-12)  # what u was read against
    np.testing.assert_allclose(array_of(y_bars["y"]), tr.probs, atol=1e-12)
    grey = "rgba(199, 204, 212, "  # ui.charts.GREY, #c7ccd4: the cut tokens
    assert [i for i, c in enumerate(q_bars["marker"]["color"]) if not c.startswith(grey)] == sorted(tr.kept)
    tex = latex_text(at)
    assert r"q_{1}[v] = \mathrm{softmax}(o_{1} / 1)" in tex
    assert f"(q_{{1}} = {num(tr.q[tr.token_id], 3)})" in tex  # the pick line prints q, not y
    assert any("2 tokens kept by top-k = 2" in c.value for c in at.caption)


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
    step = len(expected) if query.get("step") == "99" else 1
    assert_step_matches(at, expected[step - 1])
    assert "force" not in at.query_params


def test_guess_first_hides_the_pick_until_reveal_then_scores_the_guess():
    model = seed_model()
    expected = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    at = open_page({"guess": "1"})
    # before the reveal: no distribution, no o_t / y_t / pick, no later token anywhere
    assert not [c for c in charts(at) if c["layout"]["title"]["text"].startswith("y_1")]
    assert r"y_{1}" not in latex_text(at) and r"w_{1}" not in latex_text(at)
    assert button(at, "step_next").label == "Reveal ▶"
    assert not at.dataframe and not [t for t in at.table if "love" in str(t.value)]  # teacher forcing waits too
    at.button_group(key="step_guess_box_1").set_value(model.vocab.id("love")).run()
    click(at, "step_next")  # reveals step 1
    assert title_step(at) == 1 and button(at, "step_next").label == "Next ▶"
    assert_step_matches(at, expected[0])
    picked = expected[0].token == "love"
    verdict = shown(" ".join(m.value for m in at.markdown if "Your guess" in m.value))
    assert ("was the pick" in verdict) == picked
    assert any(f"Score: {int(picked)} of 1 guesses were the pick" in c.value for c in at.caption)
    click(at, "step_next")  # on to step 2, hidden again
    assert title_step(at) == 2 and button(at, "step_next").label == "Reveal ▶"
    click(at, "step_next")  # reveal without a guess: nothing scored
    assert any(f"Score: {int(picked)} of 1 guesses were the pick" in c.value for c in at.caption)


def test_autoplay_steps_on_and_stops_at_the_end_of_sentence():
    """Each run of the step section while playing is one timer tick (the browser's fragment
    timer; AppTest runs the script, which is the same call)."""
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)
    at = open_page()
    assert button(at, "step_play").label == "▶▶ Play"
    click(at, "step_play")
    seen = [title_step(at)]
    while at.session_state["step_playing"]:
        assert button(at, "step_play").label == "❚❚ Pause"
        at.run()
        seen.append(title_step(at))
        assert len(seen) < 10
    assert seen == list(range(2, len(expected) + 1))
    assert expected[-1].token == rc.EOS and button(at, "step_next").disabled
    assert button(at, "step_play").label == "▶▶ Play"
    at.run()
    assert title_step(at) == len(expected)  # stopped: another run does not move


def test_a_click_on_next_takes_over_from_autoplay():
    at = open_page()
    click(at, "step_play")
    assert at.session_state["step_playing"]
    click(at, "step_prev")
    assert not at.session_state["step_playing"]
    step = title_step(at)
    at.run()
    assert title_step(at) == step


def test_teacher_forcing_column_reads_y_t_of_the_true_next_token():
    at = open_page({"step": "4"})
    model = seed_model()
    expected = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    (table,) = at.table
    df = table.value
    truth = ["love", "deep", "learning", rc.EOS]
    assert [shown(cell) for cell in df["true next"]] == truth  # Markdown that reads as the tokens
    want = [num(expected[t].probs[model.vocab.id(w)], 3) for t, w in enumerate(truth)]
    assert list(df["p(true next)"]) == want


def test_model_without_training_text_says_so():
    model = seed_model()
    bare = rc.Model(model.params, model.vocab, model.level, model.config, "uploaded", "", 60, 0.1)
    at = open_page(model=bare)
    assert any("stores no training text" in shown(i.value) for i in at.info)


def test_the_3d_path_of_h_is_drawn_on_request_only():
    """A WebGL chart redrawn at every Next cost more than the rest of the step together."""
    at = open_page()
    assert not [c for c in charts(at) if c["layout"]["title"]["text"].startswith("trajectory")]
    at.toggle(key="step_show_3d").set_value(True).run()
    click(at, "step_next")
    (traj,) = [c for c in charts(at) if c["layout"]["title"]["text"].startswith("trajectory")]
    assert len(array_of(traj["data"][0]["x"])) == 3  # h_0, h_1, h_2


def test_a_larger_char_level_model_gets_the_heatmap_and_visible_spaces():
    corpus = rc.make_corpus("abcabd abcabd\nhello world", "char", "chars")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4))
    at = open_page(model=model)
    expected = rc.generate(model, "a", rc.Rule("sample"), max_tokens=20, seed=0)
    titles = [c["layout"]["title"]["text"] for c in charts(at)]
    assert any(t.startswith("hidden state h<sub>t</sub> over steps") for t in titles)
    assert not any(t.startswith("trajectory") for t in titles)
    tex = latex_text(at)
    assert r"\text{``␣''}" in tex and r"\text{``⏎''}" in tex  # V = 12 tokens, all named, spaces visible
    assert r"\vdots" in tex and r"\ldots" in tex  # H = 8: the vectors are abridged in the equations...
    for v in (*expected[0].h[:4], expected[0].h[-1]):
        assert num(v, 3) in tex
    hidden = chart(at, "hidden state: ")["data"][1]  # ...and every unit is in the hidden-state chart
    np.testing.assert_allclose(array_of(hidden["y"]), expected[0].h, atol=1e-12)
    assert hidden["text"] == [f"{v:.3f}" for v in expected[0].h]
    click(at, "step_next")
    assert title_step(at) == 2


def test_a_prompt_of_two_words_feeds_both_before_picking():
    at = open_page({"word": "I love", "rule": "greedy", "step": "2"})
    expected = rc.generate(seed_model(), "I love", rc.GREEDY, max_tokens=20)
    assert expected[0].how == "prompt"
    assert_step_matches(at, expected[1])
    click(at, "step_prev")
    assert r"\text{(the next token of the prompt)}" in latex_text(at)
    assert not [b for b in at.button if b.label == "Force it"]  # nothing to fork on a prompt step


def test_tokens_that_mean_something_to_markdown_html_or_latex_are_shown_as_text():
    model = hostile_model()
    at = open_page(model=model)
    assert not at.exception
    (title,) = [t.value for t in at.title]
    assert title.endswith("feed “\\<b\\>”")  # Markdown-escaped: reads <b>
    tex = latex_text(at)
    for escaped in (r"\text{``\$x\$''}", r"\text{``\textbackslash{}frac''}", r"\text{``\}''}", r"\text{``\&''}"):
        assert escaped in tex
    for spec in charts(at):
        assert "<b>" not in spec["layout"]["title"]["text"]
    for step in range(2, 5):
        click(at, "step_next") if not button(at, "step_next").disabled else None
    assert not at.exception


def test_a_link_followed_later_in_the_session_replaces_the_sessions_walk():
    """Generate's tree opens a prefix with a link (word=...); a visitor who had already stepped
    through another walk must land on the link's, not on the session's old one."""
    at = open_page()
    click(at, "step_next")
    assert at.session_state["step_settings"].word == "I" and title_step(at) == 2
    at.switch_page("pages/home.py").run()
    at.query_params.clear()  # a browser clears them when the page changes; AppTest keeps them
    at.query_params["word"] = "I love"
    at.switch_page("pages/step-through.py").run()
    assert not at.exception
    s = at.session_state["step_settings"]
    assert s.word == "I love" and s.step == 1
    first = rc.generate(seed_model(), "I love", rc.Rule("sample"), max_tokens=20)[0]
    assert first.how == "prompt" and first.token == "love"
    assert r"\text{(the next token of the prompt)}" in latex_text(at)
    click(at, "step_next")  # the page's own URL from now on: no link to re-apply
    assert title_step(at) == 2 and at.session_state["step_settings"].word == "I love"
