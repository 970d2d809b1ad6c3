"""The Generate page under AppTest: each rule shows exactly what ``rnn_core.generate`` gives with
the same seed and sample index; bad prompts give st.error; every view shows rnn_core's numbers
(rule panels, draws, tree, beam, influence), escaped for Plotly; the widgets take their bounds
from ``rnn_core.limits`` and say why they refuse a value; the session keeps summaries, not traces.
"""

import base64
import html
import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from rnn_core.corpora import BUILTINS, builtin_corpus
from tests.app.conftest import open_app_page, shown
from ui.common.session import seed_model_bytes
from ui.generate import keys as generate_keys
from ui.generate.beam_view import BEAM_EXAMPLE


def open_page(model: rc.Model | None = None, view: str | None = None) -> AppTest:
    """The Generate page, for the seed model or for ``model`` put in the session first."""
    at = open_app_page("pages/generate.py", model)
    if view is not None:
        at.segmented_control(key=generate_keys.VIEW).set_value(view).run()
        assert not at.exception, at.exception
    return at


def widget(elements, label):
    (found,) = [e for e in elements if e.label == label]
    return found


def shown_texts(at: AppTest, level: str = "word") -> list[str]:
    """The texts of the main sample list, read back from its coloured HTML."""
    block = next(m.value for m in at.markdown if 'class="n">#1<' in m.value)
    texts = []
    for div in re.split(r'<div class="gen-text[^"]*">', block)[2:]:  # [0] is the CSS, [1] the colour key
        tokens = re.findall(r'<span class="(?:pr|p\d)"[^>]*>(.*?)</span>', div)
        texts.append(("" if level == "char" else " ").join(html.unescape(t) for t in tokens))
    return texts


def array(value) -> np.ndarray:
    """A Plotly array from a chart's JSON (plain list or base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).reshape(
            value.get("shape", -1) if not isinstance(value.get("shape"), str)
            else [int(n) for n in value["shape"].split(",")])
    return np.array(value, dtype=float)


def y_of(spec: dict, trace: int = 0) -> np.ndarray:
    return array(spec["data"][trace]["y"])


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def seed_model() -> rc.Model:
    return rc.from_bytes(seed_model_bytes())


@pytest.fixture(scope="module")
def beam_model() -> rc.Model:
    """The built-in corpus where beam search beats greedy, trained with its suggested settings."""
    corpus = builtin_corpus(BEAM_EXAMPLE)
    model = rc.new_model(corpus, BUILTINS[BEAM_EXAMPLE].config())
    return rc.train(model, corpus, model.config)[0]


# ---------------------------------------------------------------- the samples


RULES = {
    "greedy": ("greedy", {}),
    "sample T=1.5": ("sample", {"gen_temperature": 1.5}),
    "top-k 2 at T=2": ("sample", {"gen_temperature": 2.0, "gen_top_k": 2}),
    "top-p 0.7": ("sample", {"gen_top_p": 0.7}),
    "min-p 0.3 and typical 0.8 at T=2": ("sample", {"gen_temperature": 2.0, "gen_min_p": 0.3, "gen_typical_p": 0.8}),
}


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_shows_what_rnn_core_generates(name):
    strategy, settings = RULES[name]
    at = open_page()
    at.radio(key="gen_rule").set_value(strategy)
    for key, value in settings.items():
        (at.slider if key != "gen_top_k" else at.number_input)(key=key).set_value(value)
    at.number_input(key="gen_seed").set_value(11)
    at.slider(key="gen_n").set_value(6)
    at.run()
    assert not at.exception and not at.error
    knobs = {field: settings[key] for field, key in generate_keys.KNOBS.items() if key in settings}
    rule = rc.GREEDY if strategy == "greedy" else rc.Rule("sample", **knobs)
    model = seed_model()
    walks = [rc.generate(model, "I", rule, max_tokens=20, seed=11, sample=i) for i in range(6)]
    expected = [rc.decoding.text_of(model, walk) for walk in walks]
    assert shown_texts(at) == expected
    assert at.dataframe[0].value["text"].tolist() == expected
    if name == "sample T=1.5":
        assert len(set(expected)) > 1  # a flattened y_t gives variety even on one sentence


def test_number_of_samples_is_respected():
    at = open_page()
    for n in (1, 13):
        at.slider(key="gen_n").set_value(n).run()
        assert not at.exception
        assert len(shown_texts(at)) == n
        assert len(at.dataframe[0].value) == n


@pytest.mark.parametrize("prompt, hint", [("I lov", "'lov' is not in the vocabulary; closest known: love"),
                                          ("   ", "the prompt is empty"),
                                          (" ".join(["I"] * 501), "the prompt has 501 tokens; the limit is 500")])
def test_bad_prompt_gives_an_error_not_an_exception(prompt, hint):
    at = open_page()
    at.text_input[0].set_value(prompt).run()
    assert not at.exception
    assert len(at.error) == 1 and hint in shown(at.error[0].value)
    assert not at.get("plotly_chart")


def test_multi_word_prompt_continues_after_its_last_word():
    at = open_page()
    at.text_input[0].set_value("I love").run()
    model = seed_model()
    expected = rc.decoding.text_of(model, rc.generate(model, "I love", rc.Rule("sample", 1.0), max_tokens=20, seed=0))
    assert shown_texts(at)[0] == expected
    assert expected.startswith("I love ")


def test_compare_rules_shows_three_columns_from_the_same_seed():
    at = open_page()
    at.slider(key="gen_n").set_value(3).run()
    labels = [m.value for m in at.markdown if m.value.startswith("**greedy**") or m.value.startswith("**sample, T")]
    assert [lab.split(":")[0] for lab in labels] == ["**greedy**", "**sample, T = 0.5**", "**sample, T = 1.5**"]


def test_the_session_keeps_summaries_for_the_list_and_traces_of_the_inspected_sample_only():
    at = open_page(view="Inside one sample")
    at.slider(key="gen_n").set_value(7)
    at.slider(key=generate_keys.SAMPLE).set_value(4).run()
    paths = at.session_state[generate_keys.RUN]["value"]
    assert len(paths) == 7 and all(isinstance(s, rc.decoding.StepSummary) for p in paths for s in p)
    traces = at.session_state[generate_keys.INSPECTED]["value"]
    assert all(isinstance(tr, rc.StepTrace) for tr in traces)
    assert [tr.token for tr in traces] == [s.token for s in paths[3]]  # sample #4: the same picks
    expected = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0, sample=3)
    assert [tr.token for tr in traces] == [tr.token for tr in expected]


# ---------------------------------------------------------------- limits: one source, visible refusals


def test_widget_bounds_defaults_and_steps_come_from_rnn_core_limits():
    at = open_page()
    for limit in (rc.limits.TEMPERATURE, rc.limits.TOP_P, rc.limits.MIN_P, rc.limits.TYPICAL_P,
                  rc.limits.REPETITION_PENALTY):
        s = at.slider(key=generate_keys.KNOBS[limit.key])
        assert (s.min, s.max, s.step, s.value) == (limit.low, limit.high, limit.step, limit.default), limit.key
    for key, limit in [(generate_keys.KNOBS["top_k"], rc.limits.TOP_K), (generate_keys.SEED, rc.limits.SEED),
                       (generate_keys.MAX_TOKENS.format(level="word"), rc.limits.MAX_TOKENS)]:
        box = at.number_input(key=key)
        assert (box.step, box.value) == (limit.step, limit.default), key
    boxes = {"Draws vs theory": [("gen_draws_n", rc.limits.DRAWS), ("gen_draws_seed", rc.limits.SEED)],
             "Tree": [("gen_tree_n", rc.limits.TREE_SAMPLES)], "Beam": [("gen_beam_width", rc.limits.BEAM_WIDTH)]}
    for view, pairs in boxes.items():
        at.segmented_control(key=generate_keys.VIEW).set_value(view).run()
        for key, limit in pairs:
            box = at.number_input(key=key)
            assert (box.step, box.value) == (limit.step, limit.default), key
    at.segmented_control(key=generate_keys.VIEW).set_value("Rules side by side").run()
    for name in ("top_p", "min_p", "typical_p"):
        limit = getattr(rc.limits, name.upper())
        s = at.slider(key=f"gen_panel_{name}")
        assert (s.min, s.max, s.step) == (limit.low, limit.high, limit.step), name


@pytest.mark.parametrize("key, value, message", [
    (generate_keys.KNOBS["top_k"], 99,
     "top-k must be at most the vocabulary size 5 (0 = off), not 99. Still using 2."),
    (generate_keys.MAX_TOKENS.format(level="word"), 501,
     "max tokens must be a whole number from 1 to 500, not 501. Still using 2."),
    (generate_keys.SEED, -1, "random seed must be a whole number from 0 to 4,294,967,295, not -1. Still using 2."),
])
def test_an_out_of_range_entry_is_refused_with_a_message_and_the_last_value_stays(key, value, message):
    at = open_page()
    at.number_input(key=key).set_value(2).run()
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert at.number_input(key=key).value == 2
    assert [shown(w.value) for w in at.warning] == [message]
    at.number_input(key=key).set_value(3).run()  # a good value clears the message
    assert not at.warning and at.number_input(key=key).value == 3


def test_top_k_kept_from_a_larger_model_goes_back_to_off_with_a_message():
    corpus = rc.make_corpus("a b c d e f g h i j", "word")
    big = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=3))
    at = open_page(big)
    at.number_input(key=generate_keys.KNOBS["top_k"]).set_value(8).run()
    at.session_state["model"] = seed_model()
    at.session_state["model_version"] = 2
    at.run()
    assert at.number_input(key=generate_keys.KNOBS["top_k"]).value == 0
    assert any("at most the vocabulary size 5" in shown(w.value) for w in at.warning)


# ---------------------------------------------------------------- inside one sample


def test_step_slider_shows_that_steps_distribution_and_hidden_vector():
    at = open_page(view="Inside one sample")
    at.radio(key="gen_rule").set_value("greedy").run()
    traces = rc.generate(seed_model(), "I", rc.GREEDY, max_tokens=20)
    assert len(traces) == 4  # I -> love deep learning </s>
    for t in (1, 3, 4):
        widget(at.slider, "Step").set_value(t).run()
        assert not at.exception
        dist, hidden = charts(at)[:2]
        assert len(dist["data"]) == 1  # greedy: q is y, drawn once
        assert np.allclose(y_of(dist), traces[t - 1].probs, rtol=0, atol=1e-15)
        assert dist["layout"]["title"]["text"].startswith(f"y<sub>{t}</sub> ")
        assert np.allclose(y_of(hidden, 1), traces[t - 1].h, rtol=0, atol=1e-15)
    assert "&lt;/s&gt;" in dist["layout"]["title"]["text"]  # step 4 chose </s>, escaped for Plotly


def test_inspector_draws_q_beside_y_when_the_rule_reshapes_it():
    at = open_page()
    at.slider(key="gen_temperature").set_value(5.0)
    at.number_input(key=generate_keys.KNOBS["top_k"]).set_value(2).run()
    at.segmented_control(key=generate_keys.VIEW).set_value("Inside one sample").run()
    widget(at.slider, "Step").set_value(2).run()
    trace = rc.generate(seed_model(), "I", rc.Rule("sample", 5.0, 2), max_tokens=20, seed=0)[1]
    dist = charts(at)[0]
    assert np.allclose(y_of(dist, 1), trace.probs, rtol=0, atol=1e-15)  # y_t outlined
    assert np.allclose(y_of(dist, 0), trace.q, rtol=0, atol=1e-15)  # q_t filled
    assert np.count_nonzero(y_of(dist, 0)) == 2 and y_of(dist, 0).sum() == pytest.approx(1)
    assert "q<sub>2</sub>" in dist["layout"]["title"]["text"]
    assert f"q = {trace.q_token:.4f}" in at.markdown[[i for i, m in enumerate(at.markdown)
                                                       if "**Sample #1, step 2**" in m.value][0]].value


def test_temperature_explorer_starts_at_the_runs_temperature_and_reshapes_the_step():
    at = open_page()
    at.slider(key="gen_temperature").set_value(0.7).run()
    at.segmented_control(key=generate_keys.VIEW).set_value("Inside one sample").run()
    assert widget(at.slider, "T").value == 0.7
    widget(at.slider, "Step").set_value(2)
    widget(at.slider, "T").set_value(0.5).run()
    trace = rc.generate(seed_model(), "I", rc.Rule("sample", 0.7), max_tokens=20, seed=0)[1]
    spec = charts(at)[2]
    e = np.exp((trace.logits - trace.logits.max()) / 0.5)
    assert np.allclose(y_of(spec, 1), e / e.sum(), rtol=1e-12)
    assert np.allclose(y_of(spec, 0), trace.probs, rtol=0, atol=1e-15)


def test_long_char_level_generation_and_its_last_step():
    """A char-level model generates a sentence's worth by default: 200 characters, not 20."""
    corpus = builtin_corpus("alphabet (char level)")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=16, embed_dim=16, steps=300))
    model = rc.train(model, corpus, model.config)[0]
    at = open_page(model)
    assert at.number_input(key=generate_keys.MAX_TOKENS.format(level="char")).value == 200
    at.text_input[0].set_value("a")
    at.slider(key="gen_n").set_value(3).run()
    assert not at.exception
    expected = [rc.generate(model, "a", rc.Rule("sample", 1.0), max_tokens=200, seed=0, sample=i) for i in range(3)]
    assert at.dataframe[0].value["text"].tolist() == [rc.decoding.text_of(model, tr) for tr in expected]
    assert at.dataframe[0].value["tokens generated"].tolist() == [200, 200, 200]
    at.segmented_control(key=generate_keys.VIEW).set_value("Inside one sample").run()
    widget(at.slider, "Step").set_value(200).run()
    dist = charts(at)[0]
    assert np.allclose(y_of(dist), expected[0][199].probs, rtol=0, atol=1e-15)


# ---------------------------------------------------------------- rules side by side


def test_rule_panels_show_rnn_cores_panels_of_the_inspected_step():
    at = open_page(view="Rules side by side")
    widget(at.slider, "Step").set_value(2)
    for key, value in [("gen_panel_T", 2.0), ("gen_panel_top_p", 0.8), ("gen_panel_min_p", 0.2),
                       ("gen_panel_typical_p", 0.5)]:
        at.slider(key=key).set_value(value)
    at.number_input(key="gen_panel_k").set_value(2).run()
    assert not at.exception
    trace = rc.generate(seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)[1]
    panels = rc.decoding.rule_panels(trace.logits, rc.Rule("sample", 2.0, 2, 0.8, 0.2, 0.5))
    fig = charts(at)[0]
    kept_bars = [y_of(fig, 2 * n + 1) for n in range(6)]
    for panel, bars in zip(panels, kept_bars):
        assert np.allclose(bars, panel.q, rtol=0, atol=1e-15), panel.name
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    for panel, title in zip(panels, titles):
        assert f"keeps {len(panel.kept)} of 5" in title and f"exp(H) = {panel.effective_vocab:.2f}" in title
    assert fig["data"][1]["x"][-1] == "&lt;/s&gt;"  # tokens escaped for Plotly
    table = at.dataframe[0].value
    assert table["rule"].tolist() == ["greedy", "temperature", "top-k", "top-p", "min-p", "typical-p"]
    assert table["H (nats)"].tolist() == [p.entropy for p in panels]
    assert table["exp(H)"].tolist() == [p.effective_vocab for p in panels]


def test_one_knob_moves_every_panel_but_greedy():
    at = open_page(view="Rules side by side")
    before = [y_of(charts(at)[0], 2 * n + 1) for n in range(6)]
    at.slider(key="gen_panel_T").set_value(3.0).run()
    after = [y_of(charts(at)[0], 2 * n + 1) for n in range(6)]
    assert np.array_equal(before[0], after[0])  # greedy ignores T
    assert all(not np.allclose(b, a) for b, a in zip(before[1:], after[1:]))


# ---------------------------------------------------------------- draws against theory


def test_draws_view_counts_n_draws_like_rnn_core_and_states_the_p_value():
    at = open_page()
    at.slider(key="gen_temperature").set_value(2.0).run()
    at.segmented_control(key=generate_keys.VIEW).set_value("Draws vs theory").run()
    widget(at.slider, "Step").set_value(2)
    at.number_input(key="gen_draws_n").set_value(5000)
    at.number_input(key="gen_draws_seed").set_value(3).run()
    assert not at.exception
    trace = rc.generate(seed_model(), "I", rc.Rule("sample", 2.0), max_tokens=20, seed=0)[1]
    counts = rc.decoding.draw_counts(trace.q, 5000, seed=3)
    fig = charts(at)[0]
    assert np.array_equal(y_of(fig, 1), counts.counts)
    assert np.allclose(y_of(fig, 0), 5000 * trace.q, rtol=1e-12)
    sentence = next(shown(m.value) for m in at.markdown if m.value.startswith("Chi"))
    assert f"p-value = {counts.test.p_value:.3f}" in sentence and f"{counts.test.df} degrees" in sentence


# ---------------------------------------------------------------- tree of continuations


def test_tree_view_draws_rnn_cores_tree_with_escaped_tokens():
    at = open_page()
    at.slider(key="gen_temperature").set_value(1.5).run()
    at.segmented_control(key=generate_keys.VIEW).set_value("Tree").run()
    at.number_input(key="gen_tree_n").set_value(60).run()
    assert not at.exception
    tree = rc.decoding.sample_tree(seed_model(), "I", rc.Rule("sample", 1.5), 60, max_tokens=20, seed=0)
    flat = tree.flat(6)
    icicle = charts(at)[0]["data"][0]
    assert icicle["type"] == "icicle"
    assert list(icicle["ids"]) == flat.ids and list(icicle["parents"]) == flat.parents
    assert array(icicle["values"]).tolist() == flat.values
    assert list(icicle["labels"]) == [html.escape(label, quote=False) for label in flat.labels]
    assert "&lt;/s&gt;" in icicle["labels"] and "</s>" not in icicle["labels"]
    assert np.allclose(array(icicle["customdata"])[:, 0], flat.p, rtol=0, atol=1e-15)


# ---------------------------------------------------------------- beam search


def test_beam_view_on_the_like_love_corpus_says_beam_beats_greedy(beam_model):
    at = open_page(beam_model, view="Beam")
    at.number_input(key="gen_beam_width").set_value(2).run()
    assert not at.exception and not at.error
    assert any("beam beats greedy: like / love" in i.value for i in at.info)
    result = rc.decoding.beam_search(beam_model, "I", 2, max_tokens=20)
    assert [beam_model.vocab.tokens[i] for i in result.best.ids] == ["love", "music", "</s>"]
    assert result.best.log_p > result.greedy_log_p
    verdict = next(m.value for m in at.markdown if m.value.startswith("Beam search found"))
    assert f"{math.exp(result.best.log_p - result.greedy_log_p):.2f} times as probable" in verdict
    table = at.dataframe[0].value
    assert table["continuation"].tolist()[0] == "love music </s>"
    assert table["log p"].tolist() == [h.log_p for h in result.complete] + [result.greedy_log_p]
    assert table["found by"].tolist()[-1] == "greedy"
    fig = charts(at)[0]
    texts = [a["text"] for a in fig["layout"]["annotations"]]  # the labels, drawn over the tree's lines
    love, music, end = (next(h for h in step.kept if h.ids == result.best.ids[:k])
                        for k, step in enumerate(result.steps[:3], start=1))
    labels = {f"love<br>{love.log_p:.2f}", f"music<br>{music.log_p:.2f}", f"&lt;/s&gt;<br>{end.log_p:.2f}"}
    assert labels <= set(texts)
    assert end.log_p == result.best.log_p


def test_beam_view_on_another_model_suggests_the_example():
    at = open_page(view="Beam")
    assert not at.info
    assert any("beam beats greedy: like / love" in c.value for c in at.caption)


def test_beam_example_name_is_a_built_in_corpus():
    assert BEAM_EXAMPLE in BUILTINS


# ---------------------------------------------------------------- influence of past tokens


def test_influence_view_highlights_earlier_tokens_and_draws_the_matrix():
    at = open_page(view="Influence")
    at.radio(key="gen_rule").set_value("greedy").run()
    widget(at.slider, "Step").set_value(3).run()
    assert not at.exception
    model = seed_model()
    inf = rc.analysis.influence(model, ["I", "love", "deep", "learning", "</s>"], wrt="x")
    heat = charts(at)[0]["data"][0]
    assert np.allclose(array(heat["customdata"]), inf.norms, rtol=1e-12, atol=0)
    row = next(m.value for m in at.markdown if 'class="infl"' in m.value)
    tips = re.findall(r"= ([0-9.e+-]+) \(", html.unescape(row))
    assert [float(x) for x in tips] == pytest.approx(inf.norms[2, :3], rel=5e-3)  # written with 3 digits
    assert "→ <span class=\"next\"" in row and ">learning</span>" in row
    at.radio(key="gen_influence_wrt").set_value("h").run()
    h = rc.analysis.influence(model, ["I", "love", "deep", "learning", "</s>"], wrt="h")
    assert np.allclose(array(charts(at)[0]["data"][0]["customdata"]), h.norms, rtol=1e-12, atol=0)


# ---------------------------------------------------------------- training time-travel


def test_weights_of_step_0_replay_the_same_samples_with_the_initial_weights():
    model = seed_model()
    steps = [s for s, _ in model.checkpoints()]
    at = open_page()
    slider = at.select_slider(key=generate_keys.WEIGHTS.format(version=at.session_state["model_version"]))
    assert slider.options == [str(s) for s in steps] and slider.value == steps[-1]
    slider.set_value(0).run()
    assert not at.exception
    early = replace(model, params=dict(model.checkpoints())[0])
    expected = [rc.decoding.text_of(early, rc.generate(early, "I", rc.Rule("sample"), max_tokens=20, seed=0, sample=i))
                for i in range(10)]
    assert shown_texts(at) == expected
    trained = [rc.decoding.text_of(model, rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0, sample=i))
               for i in range(10)]
    assert expected != trained
    at.segmented_control(key=generate_keys.VIEW).set_value("Inside one sample").run()
    y1 = y_of(charts(at)[0])
    assert y1.max() < 0.3  # step 0: nearly flat over 5 tokens


def test_a_model_without_history_says_why_there_is_no_weights_slider():
    bare = replace(seed_model(), history=None)
    at = open_page(bare)
    assert not at.select_slider
    assert any("carries no training history" in c.value for c in at.caption)


# ---------------------------------------------------------------- any model, any view


ENTITY = re.compile(r"&(lt|gt|amp|#36);")  # ui.common.text.axis_label: "$" too (Plotly reads $...$ as LaTeX)
MARKUP = re.compile(r"</?b>|<br>")  # the page's own markup in titles and labels


def unescaped_markup(spec: dict) -> list[str]:
    """Strings a chart hands Plotly as labels or text that still hold a bare '<', '>' or '&'."""
    bad = []
    for trace in spec["data"]:
        for field in ("x", "labels", "text"):
            values = trace.get(field)
            strings = [values] if isinstance(values, str) else values if isinstance(values, list) else []
            bad += [s for s in strings if isinstance(s, str) and re.search("[<>&]", MARKUP.sub("", ENTITY.sub("", s)))]
    return bad


@pytest.mark.parametrize("view", ["Samples", "Inside one sample", "Rules side by side", "Draws vs theory", "Influence",
                                  "Tree", "Beam"])
def test_every_view_of_a_char_model_with_markup_tokens_escapes_them(view):
    corpus = rc.make_corpus("a<b>&c $x$ **y**_\n" * 3, "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4, seed=1))
    at = open_page(model)
    at.text_input[0].set_value("<").run()
    at.slider(key="gen_temperature").set_value(2.0).run()
    at.segmented_control(key=generate_keys.VIEW).set_value(view).run()
    assert not at.exception and not at.error
    for spec in charts(at):
        assert unescaped_markup(spec) == []
    if view == "Samples":
        path = rc.generate(model, "<", rc.Rule("sample", 2.0), max_tokens=rc.limits.default_max_tokens("char"), seed=0)
        visible = {" ": "␣", "\n": "⏎"}  # whitespace tokens are shown as marks
        assert shown_texts(at, "char")[0] == "".join(visible.get(c, c) for c in rc.decoding.text_of(model, path))


def test_the_folded_settings_box_says_what_the_page_shows():
    """The settings box starts folded (a projector shows the samples first); its label carries the
    prompt, the rule, the number of samples and the weights, and follows the widgets."""
    at = open_page()
    (box,) = [e for e in at.expander if e.label.startswith("⚙ Settings")]
    assert shown(box.label) == "⚙ Settings · prompt “I” · sample T=1 · 10 samples · weights after step 60"
    at.radio(key=generate_keys.RULE).set_value("greedy").run()
    at.slider(key=generate_keys.N).set_value(1).run()
    (box,) = [e for e in at.expander if e.label.startswith("⚙ Settings")]
    assert shown(box.label) == "⚙ Settings · prompt “I” · greedy · 1 sample · weights after step 60"
