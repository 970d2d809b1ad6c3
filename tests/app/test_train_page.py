"""AppTest for the Train page: its widgets are rnn_core's settings, a run trains in a worker
process and replaces the model, every number on the page is rnn_core's, and bad input changes
nothing."""

import base64
import dataclasses
import io
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import shown
from ui.train import keys, memory_view
from ui.train import view as train_view

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/train.py"
SEED = "I love deep learning"
LONG_RUN = rc.training.SETTING["steps"].high  # a run no test waits for: each stops it


@pytest.fixture
def train_page():
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE).run()


def sidebar_text(at) -> str:
    return shown(" ".join(m.value for m in at.sidebar.markdown) + " " + " ".join(c.value for c in at.sidebar.caption))


def rerun_until(at, condition, what: str, timeout: float = 120) -> None:
    """Rerun the page (as the live fragment does every half second in a browser) until
    ``condition(at)`` holds. A guard against hanging, not a measure of speed."""
    deadline = time.monotonic() + timeout
    while not condition(at):
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)
        at.run()
        assert not at.exception, at.exception


def running(at) -> bool:
    return "train_live" in at.session_state


def train(at) -> None:
    """Click Train and rerun until the run, in its worker process, has ended and been installed."""
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    rerun_until(at, lambda a: not running(a), "the run to end")


def charts(at) -> dict[str, dict]:
    """Every Plotly chart on the page by its title (the title's start, up to a colon or a dot)."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"]: s for s in specs}


def chart(at, start: str) -> dict:
    return next(s for title, s in charts(at).items() if title.startswith(start))


def values(data) -> list:
    """A trace's x or y as a list: Plotly sends numpy arrays as base64 ``{"dtype", "bdata"}``."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def widget_of(at, name: str):
    """The widget of training setting ``name`` (a suggested one's key carries the suggestion's version)."""
    version = at.session_state[keys.SUGGESTION_VERSION] if keys.SUGGESTION_VERSION in at.session_state else 0
    key = keys.setting_key(name, version)
    return at.selectbox(key=key) if rc.training.SETTING[name].choices else at.number_input(key=key)


def open_folds(at, *names: str) -> None:
    """Open the folded views ``names`` (keys of ``keys.FOLDS``; all of them without names), as a click
    on each expander does, and rerun."""
    for name in names or keys.FOLDS:
        at.session_state[keys.FOLDS[name]] = True
    at.run()
    assert not at.exception, at.exception


def paste(at, text: str, level: str = "word") -> None:
    at.radio(key="train_source").set_value("Paste text").run()
    at.radio(key="train_level").set_value(level).run()
    at.text_area(key="train_paste").set_value(text).run()


# ---------------------------------------------------------------- the widgets are rnn_core's settings


def test_every_settings_widget_has_rnn_cores_default_bounds_choices_and_help(train_page):
    at = train_page
    for setting in rc.training.SETTINGS:  # a widget for every setting
        box = widget_of(at, setting.name)
        if setting.choices:
            assert tuple(box.options) == setting.choices and box.value == setting.default, setting.name
        else:
            assert box.value == setting.default, setting.name
            assert box.min == setting.low, setting.name
            assert box.max == (None if setting.high == math.inf else setting.high), setting.name
        assert setting.help[1:] in box.help, setting.name


def test_the_precision_help_explains_the_auto_rule_and_float32_trains_a_float32_model(train_page):
    at = train_page
    assert "auto: float64 for small word-level models" in widget_of(at, "dtype").help
    widget_of(at, "dtype").set_value("float32").run()
    assert any("in float32" in c.value for c in at.caption)
    train(at)
    assert at.session_state["model"].params.W_h.dtype == np.float32


# ---------------------------------------------------------------- the preloaded model and a run


def test_first_visit_shows_the_seed_models_loss_curve_and_folds_every_view_of_it(train_page):
    at = train_page
    assert not at.exception and at.title[0].value == "Train a model"
    assert [h.value for h in at.subheader] == ["Look inside your current model", "Model file"]
    model = at.session_state["model"]
    assert list(charts(at)) == [f"step 60: loss {model.last_loss:.4f}"]  # every other chart is folded, not drawn
    open_folds(at)
    loss = chart(at, "step 60: loss")
    assert values(loss["data"][0]["y"]) == model.history.losses.tolist()
    assert values(loss["data"][1]["y"]) == pytest.approx(rc.training.ema(model.history.losses).tolist(), abs=1e-15)
    heat = chart(at, "p(correct next token)")
    assert heat["data"][0]["y"] == [f"step {s}" for s, _ in model.checkpoints()]  # the model's own history
    assert list(at.dataframe[0].value["target"]) == ["love", "deep", "learning", "</s>"]
    assert "60 steps trained" in sidebar_text(at)


def test_training_replaces_the_model_and_the_page_shows_its_history(train_page):
    at = train_page
    before = at.session_state["model"]
    widget_of(at, "steps").set_value(90)
    train(at)
    open_folds(at, "learn")
    model = at.session_state["model"]
    assert model is not before and model.steps_trained == 90
    assert "90 steps trained" in sidebar_text(at) and "60 steps trained" not in sidebar_text(at)
    assert at.session_state["model_check"] == (True, "I love deep learning </s>")
    assert any(s.value.startswith("Trained 90 steps") for s in at.success)
    loss = chart(at, "step 90: loss")
    assert values(loss["data"][0]["y"]) == model.history.losses.tolist()
    heat = chart(at, "p(correct next token)")
    assert heat["data"][0]["y"] == [f"step {s}" for s, _ in model.checkpoints()]
    assert heat["data"][0]["y"][-1] == "step 90"


def test_the_last_live_sample_is_greedy_text_from_the_final_weights(train_page):
    at = train_page
    train(at)
    model = at.session_state["model"]
    final = rc.decoding.text_of(model, rc.generate(model, ["I"], rc.GREEDY, max_tokens=12))
    samples = next(c.value for c in at.code if c.value.startswith("step"))
    assert samples.splitlines()[-1] == f"step      60: {final}"


def test_training_a_builtin_uses_its_suggested_settings(train_page):
    at = train_page
    at.selectbox(key="train_builtin").set_value("counting").run()
    assert widget_of(at, "steps").value == 300 and widget_of(at, "hidden_size").value == 6
    train(at)
    model = at.session_state["model"]
    assert model.corpus_name == "counting" and model.params.sizes == (11, 3, 6)
    assert at.session_state["model_check"][0], at.session_state["model_check"]


def test_a_known_answer_corpus_is_checked_after_training(train_page):
    at = train_page
    name = "known answer: aaab, 3 steps of memory (char level)"
    at.selectbox(key="train_builtin").set_value(name).run()
    assert any("Known answer" in c.value for c in at.caption)
    train(at)
    verdict = rc.training.BUILTINS[name].verify(at.session_state["model"])
    assert verdict.ok, verdict
    assert any("learned ✅" in s.value and shown(verdict.why) in shown(s.value) for s in at.success)
    assert any(c.value == verdict.text for c in at.code)


def test_validation_is_held_out_only_from_a_long_enough_text_and_drawn(train_page):
    at = train_page
    assert any("too short to hold any out" in c.value for c in at.caption)  # the seed
    text = "".join(f"line {i} repeats {'ab' * (i % 4)} then ends.\n" for i in range(100))  # 3,000+ chars
    paste(at, text, "char")
    split = rc.training.split_corpus(rc.make_corpus(text, "char", "pasted text"))
    assert any(f"the last {len(split.validation.text):,} characters" in shown(c.value) for c in at.caption)
    widget_of(at, "steps").set_value(20)
    train(at)
    model = at.session_state["model"]
    validation = chart(at, "step 20: loss")["data"][2]
    assert values(validation["x"])[-1] == 20
    assert values(validation["y"])[-1] == pytest.approx(rc.training.mean_loss(model, split.validation), rel=1e-6)


# ---------------------------------------------------------------- stop, divergence, memory, bad input


def test_stop_ends_a_run_and_keeps_what_it_learned(train_page):
    at = train_page
    widget_of(at, "steps").set_value(LONG_RUN)
    at.button(key="train_go").click().run()
    rerun_until(at, lambda a: any(p.value > 0 for p in a.get("progress")), "the first steps")
    at.button(key="train_stop").click().run()
    rerun_until(at, lambda a: not running(a), "the run to stop")
    model = at.session_state["model"]
    assert 0 < model.steps_trained < LONG_RUN and len(model.history.losses) == model.steps_trained
    assert any(f"Stopped at step {model.steps_trained}" in s.value for s in at.success)
    assert f"{model.steps_trained} steps trained" in sidebar_text(at)


def test_a_diverging_run_says_what_to_change_keeps_the_model_and_offers_the_last_good_weights(train_page):
    at = train_page
    before = at.session_state["model"]
    widget_of(at, "optimizer").set_value("sgd")
    widget_of(at, "lr").set_value(10.0)
    widget_of(at, "clip").set_value(0.0)
    widget_of(at, "steps").set_value(200)
    train(at)
    (warning,) = at.warning
    assert "diverged" in warning.value and "turn on clipping" in shown(warning.value)
    assert at.session_state["model"] is before
    at.button(key="train_adopt").click().run()
    adopted = at.session_state["model"]
    assert adopted is at.session_state["train_run"].model and 0 < adopted.steps_trained < 200
    assert all(np.isfinite(v).all() for v in adopted.params.as_dict().values())


def test_with_clipping_on_a_diverging_run_does_not_say_to_turn_it_on(train_page):
    at = train_page
    widget_of(at, "optimizer").set_value("sgd")
    widget_of(at, "lr").set_value(10.0)
    widget_of(at, "clip").set_value(100.0)
    widget_of(at, "steps").set_value(200)
    train(at)
    (warning,) = at.warning
    assert "turn on clipping" not in shown(warning.value) and "clip harder (now 100" in shown(warning.value)


def test_the_memory_a_run_needs_is_shown_against_the_budget(train_page):
    at = train_page
    need = rc.training.training_memory(rc.seed_corpus(), rc.TrainConfig())
    assert any(f"about {need / 2**20:,.1f} MB at once, in float64 (the server allows "
               f"{rc.training.TRAIN_MEMORY_BUDGET / 2**20:,.0f} MB" in shown(c.value) for c in at.caption)


def test_a_run_over_the_memory_budget_is_refused_with_the_cores_message_before_it_starts(train_page):
    at = train_page
    before = at.session_state["model"]
    text = " ".join(f"w{i}" for i in range(15_000))
    paste(at, text)
    widget_of(at, "seq_len").set_value(4096)
    widget_of(at, "dtype").set_value("float64").run()
    corpus = rc.make_corpus(text, "word", "pasted text")
    config = dataclasses.replace(rc.training.suggest_for(corpus).config, seq_len=4096, dtype="float64")
    with pytest.raises(rc.ConfigError) as refused:
        rc.training.check_training_memory(corpus, config)
    assert any(shown(e.value) == f"Too large to train here: {refused.value}" for e in at.error)
    assert at.button(key="train_go").disabled  # AppTest, like a browser, cannot click it
    assert not running(at) and at.session_state["model"] is before


@pytest.mark.parametrize("text", ["", "   \n ", "hello"])
def test_empty_or_one_word_corpus_is_an_error_and_the_model_stays(train_page, text):
    at = train_page
    before = at.session_state["model"]
    paste(at, text)
    assert at.error and "cannot be trained on" in shown(at.error[0].value)
    assert at.button(key="train_go").disabled  # AppTest, like a browser, cannot click it
    assert not at.exception and at.session_state["model"] is before


def test_a_zero_learning_rate_is_refused_with_rnn_cores_range(train_page):
    at = train_page
    widget_of(at, "lr").set_value(0.0).run()
    assert any("learning rate must be in (0, 10]" in shown(e.value) for e in at.error)
    assert at.button(key="train_go").disabled


def test_too_big_a_model_is_an_error_and_the_model_stays(train_page):
    at = train_page
    before = at.session_state["model"]
    paste(at, " ".join(f"w{i}" for i in range(12_000)))
    widget_of(at, "hidden_size").set_value(1024)
    widget_of(at, "embed_dim").set_value(1024).run()
    assert any("parameters" in shown(e.value) for e in at.error)
    assert at.button(key="train_go").disabled
    assert not at.exception and not running(at) and at.session_state["model"] is before


def test_pasted_char_level_text_trains_a_char_model(train_page):
    at = train_page
    paste(at, "abcabc", "char")
    widget_of(at, "steps").set_value(20)
    train(at)
    model = at.session_state["model"]
    assert model.level == "char" and model.vocab.tokens == ("a", "b", "c") and model.steps_trained == 20


def test_a_12000_character_first_line_at_char_level_trains_and_step_through_opens(train_page):
    """A long first sentence used to crash installing the model and then Step-Through."""
    at = train_page
    rng = np.random.default_rng(0)
    line = "".join(rng.choice(list("abcdefgh "), size=12_000))
    paste(at, line, "char")
    widget_of(at, "steps").set_value(5)
    train(at)
    model = at.session_state["model"]
    assert model.steps_trained == 5 and model.corpus_text == line
    ok, text = at.session_state["model_check"]
    greedy = rc.generate(model, [line[0]], rc.GREEDY, max_tokens=rc.limits.MAX_TOKENS.high)  # the checked part
    expected = rc.decoding.text_of(model, greedy)
    assert not ok and text == expected  # the sidebar's claim is about this model, not the seed's sentence
    card = sidebar_text(at)
    assert "5 steps trained" in card and "❌ greedy gives" in card and "I love deep learning" not in card
    at.switch_page("pages/step-through.py").run()
    assert not at.exception


def test_uploading_a_model_file_replaces_the_model(train_page):
    at = train_page
    corpus = rc.make_corpus("a b c", "word", "abc")
    other = rc.train(rc.new_model(corpus, rc.TrainConfig(steps=5)), corpus, rc.TrainConfig(steps=5))[0]
    at.file_uploader(key="train_npz_file").set_value(("abc.npz", rc.to_bytes(other), "application/octet-stream")).run()
    assert not at.exception
    assert at.session_state["model"].vocab.tokens == ("a", "b", "c", "</s>")
    assert "abc" in sidebar_text(at) and at.success
    assert any("no record of its training" in i.value for i in at.info)  # rc.train keeps no history


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04broken", None])
def test_uploading_a_broken_model_file_leaves_the_model_as_it_was(train_page, data):
    at = train_page
    before = at.session_state["model"]
    if data is None:  # an .npz of another program: valid arrays, wrong keys
        buf = io.BytesIO()
        np.savez(buf, weights=np.ones((2, 2)))
        data = buf.getvalue()
    at.file_uploader(key="train_npz_file").set_value(("broken.npz", data, "application/octet-stream")).run()
    assert not at.exception
    assert at.session_state["model"] is before
    assert any("Could not load" in shown(e.value) and "unchanged" in shown(e.value) for e in at.error)


def test_a_non_utf8_txt_upload_is_an_error(train_page):
    at = train_page
    at.radio(key="train_source").set_value("Upload .txt").run()
    at.file_uploader(key="train_txt_file").set_value(("latin1.txt", "café crème".encode("latin-1"), "text/plain")).run()
    assert not at.exception
    assert any("UTF-8" in shown(e.value) for e in at.error)
    assert at.button(key="train_go").disabled


# ---------------------------------------------------------------- inside the model


def test_the_gradient_chart_plots_the_last_steps_loss_against_k(train_page):
    at = train_page
    open_folds(at, "sentence")
    model = at.session_state["model"]
    reach = rc.analysis.gradient_reach(model, ["I", "love", "deep", "learning", "</s>"])
    spec = chart(at, "gradient of the loss at step t = 4")
    assert spec["data"][0]["y"] == reach.curve(4).tolist() and spec["layout"]["yaxis"]["type"] == "log"


def test_scaling_W_h_scales_the_radius_and_redraws_the_reach_and_reset_brings_it_back(train_page):
    at = train_page
    open_folds(at, "what_if")
    choice = memory_view.reach_choices(at.session_state["model"])[-1]  # the seed's text is short: the demo model
    assert next(s for s in at.selectbox if s.label == "Model").value == choice.label
    at.slider(key="train_reach_scale").set_value(2.0).run()
    scaled = rc.analysis.gradient_reach(rc.analysis.scale_W_h(choice.model, 2.0), list(choice.tokens))
    spec = chart(at, f"gradient of the loss at step t = {len(choice.tokens) - 1} (predicting")
    assert [d["line"]["dash"] for d in spec["data"]] == ["dash", "solid"]
    T = len(choice.tokens) - 1
    assert spec["data"][1]["y"] == [v if v > 0 and np.isfinite(v) else None for v in scaled.curve(T).tolist()]
    assert f"{scaled.radius:.3f}" in [m.value for m in at.metric]
    at.button(key="train_reach_reset").click().run()
    assert at.slider(key="train_reach_scale").value == 1.0
    assert len(chart(at, f"gradient of the loss at step t = {T} (predicting")["data"]) == 1


def test_the_text_is_coloured_by_the_unit_that_varies_most_and_corpus_text_is_escaped(train_page):
    at = train_page
    text = "<img src=x onerror=alert(1)> ab\nab <b>ab</b>\n" * 3
    paste(at, text, "char")
    widget_of(at, "steps").set_value(20)
    train(at)
    open_folds(at, "units")
    model = at.session_state["model"]
    activity = rc.analysis.unit_activity(model, text)
    box = next(s for s in at.selectbox if s.label.startswith("Hidden unit"))
    assert list(box.options) == [f"unit {i + 1} · standard deviation {activity.std[i]:.3f}" for i in activity.order]
    legend = [h.value for h in at.get("html")].index(memory_view.activity_legend())  # the coloured text follows it
    body = at.get("html")[legend + 1].value
    assert "<img" not in body and "<b>" not in body
    unit = activity.order[0]
    colours = [span.split("background:")[1].split(";")[0] for span in body.split("<span ")[1:]]
    assert colours == [memory_view.unit_color(h) for h in activity.h[:, unit]]


# ---------------------------------------------------------------- sessions


def test_two_sessions_train_at_once_each_its_own_model():
    one = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    two = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    for at in (one, two):
        widget_of(at, "steps").set_value(LONG_RUN)
        at.button(key="train_go").click().run()
    for at in (one, two):  # both are training now, each in its own worker
        rerun_until(at, lambda a: any(p.value > 0 for p in a.get("progress")), "the first steps")
    for at in (one, two):
        at.button(key="train_stop").click().run()
        rerun_until(at, lambda a: not running(a), "the run to stop")
    a, b = one.session_state["model"], two.session_state["model"]
    assert a is not b and a.steps_trained > 0 and b.steps_trained > 0
    assert a.params.W_h is not b.params.W_h


def test_a_session_that_trains_does_not_change_another_sessions_model():
    one = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    two = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    widget_of(one, "steps").set_value(10)
    train(one)
    two.run()
    assert one.session_state["model"].steps_trained == 10
    assert two.session_state["model"].steps_trained == 60
    assert two.session_state["model"].corpus_name == SEED


def test_a_widget_changed_while_training_leaves_the_run_going(train_page):
    """The run lives in its worker, not in the script: a rerun of the page does not stop it."""
    at = train_page
    widget_of(at, "steps").set_value(LONG_RUN)
    at.button(key="train_go").click().run()
    rerun_until(at, lambda a: any(p.value > 0 for p in a.get("progress")), "the first steps")
    assert at.button(key="train_go").disabled
    widget_of(at, "hidden_size").set_value(4).run()
    open_folds(at, "what_if")
    at.slider(key="train_reach_scale").set_value(0.5).run()
    assert running(at) and at.session_state["train_live"].outcome is None
    at.button(key="train_stop").click().run()
    rerun_until(at, lambda a: not running(a), "the run to stop")
    assert at.session_state["model"].params.sizes[2] == 3  # the run's settings, not the changed H


# ---------------------------------------------------------------- the first screen: corpus, suggestion, Train

PARAGRAPH = ("Once upon a time there was a small village at the edge of a great forest. Every morning the "
             "baker lit his oven before the sun came up, and the smell of fresh bread drifted down the narrow "
             "streets. The children ran to the square to play, and the old men sat on the bench by the well "
             "and talked about the weather. One day a stranger walked into the village with a large wooden "
             "box on his back, and nobody knew what was inside it.")
def widget_values(at) -> dict:
    return {name: widget_of(at, name).value for name in rc.training.Suggestion.names}


def test_pasted_text_gets_settings_suggested_from_its_size_and_level_shown_before_train(train_page):
    at = train_page
    paste(at, PARAGRAPH, "char")
    suggestion = rc.training.suggest_config("char", len(PARAGRAPH), len(set(PARAGRAPH)))
    assert widget_values(at) == suggestion.values()  # used by default
    summary = next(shown(m.value) for m in at.markdown if m.value.startswith("Settings:"))
    assert "H = 64 · E = 16 · 700 steps · learning rate 0.01 · 64 characters per update · batch 1" in summary
    assert any(suggestion.why in shown(c.value) for c in at.caption)
    paste(at, PARAGRAPH, "word")  # another level, another suggestion
    corpus = rc.make_corpus(PARAGRAPH, "word", "pasted text")
    assert widget_values(at) == rc.training.suggest_for(corpus).values()


def test_a_setting_changed_by_hand_stays_when_the_text_changes_and_the_suggestion_can_come_back(train_page):
    at = train_page
    paste(at, PARAGRAPH, "char")
    widget_of(at, "hidden_size").set_value(40).run()
    assert any("You changed the hidden size" in c.value for c in at.caption)
    paste(at, PARAGRAPH * 3, "char")  # a longer text: other steps, the same hand-set H
    longer = rc.training.suggest_config("char", 3 * len(PARAGRAPH), len(set(PARAGRAPH)))
    assert widget_of(at, "hidden_size").value == 40
    assert widget_of(at, "steps").value == longer.config.steps != 700
    at.button(key="train_use_suggestion").click().run()
    assert widget_values(at) == longer.values()


def test_the_default_run_on_a_pasted_paragraph_learns_it(train_page):
    """The first hour's test: paste a paragraph, pick char level, press Train with what is
    suggested. Greedy text from the first letter is the paragraph's start."""
    at = train_page
    paste(at, PARAGRAPH, "char")
    train(at)
    model = at.session_state["model"]
    assert model.steps_trained == 700 and rc.training.mean_loss(model, rc.make_corpus(PARAGRAPH, "char")) < 0.1
    ok, text = at.session_state["model_check"]
    assert text.startswith(PARAGRAPH[:100])


def test_while_a_run_trains_every_view_says_which_model_it_shows(train_page):
    at = train_page
    paste(at, PARAGRAPH, "char")
    widget_of(at, "steps").set_value(LONG_RUN)
    at.button(key="train_go").click().run()
    rerun_until(at, lambda a: any(p.value > 0 for p in a.get("progress")), "the first steps")
    open_folds(at)
    live = next(shown(m.value) for m in at.markdown if m.value.startswith("**Training a new model:**"))
    assert "“pasted text” · char level · H = 64 · E = 16" in live and "becomes your current model" in live
    current = "“I love deep learning” · word level · H = 3 · E = 3 · 60 steps trained"
    tags = [shown(c.value) for c in at.caption if c.value.startswith("Your current model:")]
    assert len(tags) == len(keys.FOLDS) and all(current in t for t in tags)  # one per open view
    assert any("these views show your current model until it ends" in c.value for c in at.caption)
    at.button(key="train_stop").click().run()
    rerun_until(at, lambda a: not running(a), "the run to stop")


# ---------------------------------------------------------------- the loss chart, the known answer


def test_the_loss_chart_headlines_the_last_steps_loss_and_has_a_log_axis(train_page):
    at = train_page
    model = at.session_state["model"]
    spec = chart(at, "step 60: loss")
    assert spec["layout"]["title"]["text"] == f"step 60: loss {model.history.losses[-1]:.4f}"
    assert spec["data"][1]["name"] == "moving average (exponential)"
    assert spec["layout"]["yaxis"].get("type") != "log"
    at.toggle(key=keys.LOG_AXIS).set_value(True).run()
    spec = chart(at, "step 60: loss")
    assert spec["layout"]["yaxis"]["type"] == "log" and spec["layout"]["yaxis2"]["type"] == "log"


def test_the_grammar_check_parses_several_sampled_sentences(train_page):
    at = train_page
    name = "known answer: a tiny grammar (word level)"
    at.selectbox(key="train_builtin").set_value(name).run()
    assert any("samples 5 sentences" in shown(c.value) for c in at.caption)
    train(at)
    verdict = rc.training.BUILTINS[name].verify(at.session_state["model"])
    (said,) = [shown(s.value) for s in at.success if "Known answer" in s.value]
    assert "samples 5 sentences" in said and "5 complete sentence(s), all grammatical" in said
    code = next(c.value for c in at.code if c.value == verdict.text)
    assert len(code.splitlines()) == 5 and all(line.endswith("</s>") for line in code.splitlines())


# ---------------------------------------------------------------- every chart readable, a failure stays in its view


def test_every_chart_on_the_page_titles_its_axes_and_colour_bars_and_names_units_from_1(train_page):
    at = train_page
    paste(at, "ab abc\nabc ab\n" * 3, "char")
    widget_of(at, "steps").set_value(20)
    train(at)
    open_folds(at)
    specs = list(charts(at).values())
    assert len(specs) >= 8  # loss, watch it learn, reach, what-if, four weights
    for spec in specs:
        layout, title = spec["layout"], spec["layout"]["title"]["text"]
        for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
            assert layout[axis].get("title", {}).get("text"), (title, axis)
        for trace in spec["data"]:
            if trace["type"] == "heatmap":
                assert trace["colorbar"]["title"]["text"], title
        assert "_" not in title, title
    H = at.session_state["model"].config.hidden_size
    w_h = chart(at, "W<sub>h</sub>")["data"][0]
    units = [f"unit {i}" for i in range(1, H + 1)]
    assert list(w_h["x"]) == units and list(w_h["y"]) == units[: train_view.MAX_ROWS]  # rows cut at MAX_ROWS


def test_a_view_that_fails_shows_the_error_in_that_view_and_the_rest_of_the_page_stays(train_page, monkeypatch):
    from ui.train import inside as train_inside

    def broken(model):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(train_inside, "weights", broken)
    at = train_page
    open_folds(at)
    assert not at.exception
    (error,) = at.error
    assert "The weights" in shown(error.value) and "UnicodeEncodeError" in error.value
    assert any(f.proto.label.startswith("Load a model file") for f in at.get("file_uploader"))
    assert chart(at, "p(correct next token)") and chart(at, "step 60: loss")  # the other views are drawn


def test_the_models_bytes_are_built_only_when_the_download_is_clicked(train_page, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    registered = []
    add = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered.append((data_callable, file_name))
        return add(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    calls = []
    to_bytes = rc.to_bytes
    monkeypatch.setattr(rc, "to_bytes", lambda m: calls.append(m) or to_bytes(m))
    at = train_page
    at.run()
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith("train_download")]
    assert button.proto.deferred_file_id and not button.proto.url
    assert calls == []  # drawing the page serialised nothing
    data, name = registered[-1]
    assert name == "rnn-I-love-deep-learning.npz"
    loaded = rc.from_bytes(data())  # what a click downloads
    assert len(calls) == 1 and loaded.steps_trained == 60 and loaded.corpus_name == "I love deep learning"


def test_a_notice_that_cannot_be_drawn_stays_in_its_place_and_the_page_is_drawn(train_page):
    """A lone surrogate (from a model file's name) cannot be sent to the browser: Streamlit raises
    when the notice is drawn. The model file's section is drawn first; its failure must not keep
    the corpus, the Train button or the views from being drawn."""
    at = train_page
    at.session_state[keys.FILE_NOTICE] = ("success", "Loaded **bad \ud800 name**")
    at.run()
    assert not at.exception
    (error,) = at.error
    assert "The upload's notice" in shown(error.value) and "UnicodeEncodeError" in error.value
    assert at.button(key="train_go") and at.radio(key="train_source") and chart(at, "step 60: loss")
    assert any(f.proto.label.startswith("Load a model file") for f in at.get("file_uploader"))
