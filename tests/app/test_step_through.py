"""The Step-Through page under AppTest: Next walks to the end with every number and chart equal to
``rnn_core.generate``'s trace for the same settings; Previous/Reset/slider; an unknown word gives
st.error; forcing a token forks the path; the URL's query string reproduces a view."""

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import open_app_page, shown
from ui.state import seed_model_bytes
from ui.step_view import num

PAGE = "pages/step-through.py"


def open_page(query: dict | None = None, model: rc.Model | None = None) -> AppTest:
    return open_app_page(PAGE, model, query)


def seed_model() -> rc.Model:
    return rc.from_bytes(seed_model_bytes())


def button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def heading_step(at: AppTest) -> int:
    (h,) = [s.value for s in at.subheader if s.value.startswith("Step ")]
    return int(h.split()[1].rstrip(":"))


def array_of(values) -> np.ndarray:
    """A Plotly JSON array: a plain list, or Plotly 7's base64 typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.array(values, dtype=float)


def chart(at: AppTest, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (found,) = [s for s in specs if s["layout"]["title"]["text"].startswith(title_start)]
    return found


def latex_text(at: AppTest) -> str:
    return "\n".join(e.value for e in at.latex)


def assert_step_matches(at: AppTest, tr: rc.StepTrace, vocab: tuple[str, ...], prec: int = 3) -> None:
    """Every number of step t on the page equals the trace's, rounded to ``prec`` decimals."""
    assert heading_step(at) == tr.t
    tex = latex_text(at)
    for name, values in [("x", tr.x), ("W_x x", tr.Wx_x), ("W_h h", tr.Wh_h), ("b_h", tr.b_h), ("a", tr.a),
                         ("h", tr.h), ("o", tr.logits), ("y", tr.probs)]:
        for v in values:
            assert num(v, prec) in tex, f"{name} value {v} missing at step {tr.t}"
    dist = chart(at, f"y_{tr.t} = softmax")
    bars = dist["data"][0]
    np.testing.assert_allclose(array_of(bars["y"]), tr.probs, rtol=0, atol=1e-12)
    widths = bars["marker"]["line"]["width"]
    assert [i for i, w in enumerate(widths) if w > 0] == [tr.token_id]  # only the chosen token outlined
    hidden = chart(at, "hidden state")
    np.testing.assert_allclose(array_of(hidden["data"][0]["y"]), tr.h_prev, atol=1e-12)
    np.testing.assert_allclose(array_of(hidden["data"][1]["y"]), tr.h, atol=1e-12)
    traj = chart(at, "trajectory")["data"][0]
    points = np.stack([array_of(traj[c]) for c in "xyz"], axis=1)
    assert points.shape == (tr.t + 1, 3)
    np.testing.assert_allclose(points[-1], tr.h, atol=1e-12)


def test_next_walks_to_the_end_and_every_number_equals_the_trace():
    at = open_page()
    model = seed_model()
    expected = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    assert expected[-1].token == rc.EOS
    for tr in expected:
        assert_step_matches(at, tr, model.vocab.tokens)
        assert not [s for s in at.success if "generation finished" in s.value] or tr is expected[-1]
        if tr is not expected[-1]:
            button(at, "Next ▶").click().run()
    assert button(at, "Next ▶").disabled
    (done,) = [s.value for s in at.success if "generation finished" in s.value]
    assert rc.EOS in done
    assert at.query_params["step"] == str(len(expected))


def test_step_one_shows_h0_zero_and_the_shapes():
    at = open_page()
    tex = latex_text(at)
    assert r"h_0 = \mathbf{0}" in tex and r"W_h h_0 = \mathbf{0}" in tex
    assert r"W_y \in \mathbb{R}^{5 \times 3}" in tex and r"W_h \in \mathbb{R}^{3 \times 3}" in tex
    assert any("3\\times3" in m.value and "5 × 3" in m.value for m in at.markdown)


def test_previous_reset_and_slider_move_between_steps():
    at = open_page()
    assert button(at, "◀ Previous").disabled
    button(at, "Next ▶").click().run()
    button(at, "Next ▶").click().run()
    assert heading_step(at) == 3
    button(at, "◀ Previous").click().run()
    assert heading_step(at) == 2
    at.slider(key="st_step").set_value(4).run()
    assert heading_step(at) == 4
    button(at, "Reset").click().run()
    assert heading_step(at) == 1 and at.slider(key="st_step").value == 1


def test_greedy_from_I_follows_the_seed_sentence_with_argmax_picks():
    at = open_page()
    at.radio(key="st_rule").set_value("greedy").run()
    expected = rc.generate(seed_model(), "I", rc.GREEDY, max_tokens=20)
    assert [tr.token for tr in expected] == ["love", "deep", "learning", rc.EOS]
    for tr in expected:
        assert_step_matches(at, tr, seed_model().vocab.tokens)
        assert r"\arg\max" in latex_text(at)
        if tr is not expected[-1]:
            button(at, "Next ▶").click().run()


def test_unknown_word_gives_an_error_with_the_closest_words_and_keeps_the_path():
    at = open_page()
    # typing a new option (accept_new_options): the browser adds it to the options and selects it
    box = at.selectbox(key="st_word")
    box.options = [*box.options, "lov"]
    box.set_value("lov").run()
    assert not at.exception
    (err,) = [shown(e.value) for e in at.error]
    assert "'lov' is not in the vocabulary" in err and "love" in err
    assert heading_step(at) == 1 and r"\text{``I''}" in latex_text(at)


def test_forcing_a_token_forks_later_steps_and_keeps_earlier_ones():
    model = seed_model()
    at = open_page()
    button(at, "Next ▶").click().run()  # step 2: feed 'love'
    original = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    learning = model.vocab.id("learning")
    assert original[1].token_id != learning
    at.selectbox(key="st_force_token").set_value(learning).run()
    button(at, "Force it").click().run()
    forked = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: learning})
    assert_step_matches(at, forked[1], model.vocab.tokens)
    assert r"\text{(forced by you)}" in latex_text(at)
    what_if = " ".join(m.value for m in at.markdown if "What if" in m.value)
    assert "forked at step 2" in what_if
    assert rc.text_of(model, original) in what_if and rc.text_of(model, forked) in what_if
    # step 1 is the same on both paths; step 3 is fed the forced token
    button(at, "◀ Previous").click().run()
    assert_step_matches(at, original[0], model.vocab.tokens)
    button(at, "Next ▶").click().run()
    button(at, "Next ▶").click().run()
    assert_step_matches(at, forked[2], model.vocab.tokens)
    assert forked[2].input == "learning"
    button(at, "↩ Back to the original path").click().run()
    assert_step_matches(at, original[2], model.vocab.tokens)


@pytest.mark.parametrize("query", [
    {"step": "2", "word": "love", "rule": "sample", "seed": "7", "T": "1.5"},
    {"step": "2", "word": "I", "rule": "sample", "seed": "3", "k": "2", "p": "0.9"},
    {"step": "3", "word": "I", "rule": "greedy"},
])
def test_query_string_reproduces_the_view(query):
    at = open_page(query)
    model = seed_model()
    rule = rc.Rule(query["rule"], float(query.get("T", 1)), int(query.get("k", 0)), float(query.get("p", 1)))
    expected = rc.generate(model, query["word"], rule, max_tokens=20, seed=int(query.get("seed", 0)))
    assert_step_matches(at, expected[int(query["step"]) - 1], model.vocab.tokens)
    assert not at.warning
    for k, v in query.items():
        assert at.query_params[k] == v


def test_top_k_greys_out_the_cut_tokens():
    at = open_page({"rule": "sample", "k": "2", "seed": "1"})
    expected = rc.generate(seed_model(), "I", rc.Rule("sample", top_k=2), max_tokens=20, seed=1)
    bars = chart(at, "y_1 = softmax")["data"][0]
    kept = set(expected[0].kept)
    assert len(kept) == 2
    colors = bars["marker"]["color"]  # rgba: the page moves the bars' opacity into their colours
    grey = "rgba(199, 204, 212, "  # ui.charts.GREY, #c7ccd4
    assert [i for i, c in enumerate(colors) if not c.startswith(grey)] == sorted(kept)
    assert r"q_{1}" in latex_text(at)  # the reshaped distribution that was sampled from


@pytest.mark.parametrize("query, field", [
    ({"step": "abc"}, "step"), ({"rule": "beam"}, "rule"), ({"T": "-1"}, "T"), ({"p": "2"}, "p"),
    ({"word": "lov"}, "word"), ({"seed": "-5"}, "seed"), ({"step": "99"}, "step"),
])
def test_invalid_query_values_fall_back_with_a_warning(query, field):
    at = open_page(query)
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    wanted = "asks for step 99" if query.get("step") == "99" else f"`{field}={query[field]}`"
    assert wanted in warning
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)
    step = len(expected) if query.get("step") == "99" else 1
    assert_step_matches(at, expected[step - 1], seed_model().vocab.tokens)


def test_teacher_forcing_column_reads_y_t_of_the_true_next_token():
    at = open_page({"step": "4"})
    model = seed_model()
    expected = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    df = at.dataframe[0].value
    truth = ["love", "deep", "learning", rc.EOS]
    assert list(df["true next"]) == truth
    want = [expected[t].probs[model.vocab.id(w)] for t, w in enumerate(truth)]
    np.testing.assert_allclose(df["p(true next)"].to_numpy(dtype=float), want, atol=1e-12)


def test_model_without_training_text_says_so():
    model = seed_model()
    bare = rc.Model(model.params, model.vocab, model.level, model.config, "uploaded", "", 60, 0.1)
    at = open_page(model=bare)
    assert any("stores no training text" in i.value for i in at.info)


def test_a_larger_char_level_model_gets_the_heatmap_and_an_abridged_table():
    corpus = rc.make_corpus("abcabd abcabd\nhello world", "char", "chars")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4))
    at = open_page(model=model)
    expected = rc.generate(model, "a", rc.Rule("sample"), max_tokens=20, seed=0)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("hidden state h_t over steps") for t in titles)
    assert not any(t.startswith("trajectory") for t in titles)
    tex = latex_text(at)
    assert r"\cdots" in tex and r"\vdots" not in tex  # V = 12 > 10 tokens: the table is abridged; H = 8 fits
    for v in expected[0].h:
        assert num(v, 3) in tex
    button(at, "Next ▶").click().run()
    assert heading_step(at) == 2 and not at.exception


def test_a_prompt_of_two_words_feeds_both_before_picking():
    at = open_page({"word": "I love", "rule": "greedy", "step": "2"})
    expected = rc.generate(seed_model(), "I love", rc.GREEDY, max_tokens=20)
    assert expected[0].how == "prompt"
    assert_step_matches(at, expected[1], seed_model().vocab.tokens)
    button(at, "◀ Previous").click().run()
    assert r"\text{(the next token of the prompt)}" in latex_text(at)
    assert not [b for b in at.button if b.label == "Force it"]  # nothing to fork on a prompt step
