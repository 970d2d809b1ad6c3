"""AppTest for the Train page: first visit, training replaces the model, bad input changes nothing."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import shown
from ui import train_view as tv

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/train.py"


@pytest.fixture
def train_page():
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE).run()


def sidebar_text(at) -> str:
    return " ".join(m.value for m in at.sidebar.markdown) + " " + " ".join(c.value for c in at.sidebar.caption)


def test_first_visit_runs_and_shows_the_current_seed_model(train_page):
    at = train_page
    assert not at.exception
    assert at.title[0].value == "Train a model"
    assert at.selectbox(key="train_builtin").value == "seed: I love deep learning"
    assert at.number_input(key="train_H").value == 3 and at.number_input(key="train_E").value == 3
    df = at.dataframe[0].value  # teacher-forced table of the current (seed) model
    assert list(df["target"]) == ["love", "deep", "learning", "</s>"]
    assert "60 steps trained" in sidebar_text(at)


def test_training_replaces_the_model_and_the_sidebar_shows_it(train_page):
    at = train_page
    before = at.session_state["model"]
    at.number_input(key="train_steps").set_value(90)
    at.button(key="train_go").click().run()
    assert not at.exception
    model = at.session_state["model"]
    assert model is not before and model.steps_trained == 90
    assert "90 steps trained" in sidebar_text(at) and "60 steps trained" not in sidebar_text(at)
    assert rc.text_of(model, rc.generate(model, ["I"], rc.GREEDY, max_tokens=10)) == "I love deep learning </s>"
    assert at.session_state["model_check"] == (True, "I love deep learning </s>")
    # the run's snapshots, the heatmap over them, and the loss curve are on the page
    run = at.session_state["train_run"]
    assert [s for s, _ in run.snapshots] == tv.snapshot_steps(90)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heat = next(s for s in specs if s["layout"]["title"]["text"].startswith("p(correct"))
    assert heat["data"][0]["y"] == [f"step {s}" for s in tv.snapshot_steps(90)]
    assert any(s["layout"]["title"]["text"].startswith("step 90: loss") for s in specs)


def test_training_a_builtin_uses_its_suggested_settings(train_page):
    at = train_page
    at.selectbox(key="train_builtin").set_value("counting").run()
    assert at.number_input(key="train_steps").value == 300 and at.number_input(key="train_H").value == 6
    at.button(key="train_go").click().run()
    model = at.session_state["model"]
    assert model.corpus_name == "counting" and model.params.sizes == (11, 3, 6)
    assert at.session_state["model_check"][0], at.session_state["model_check"]


@pytest.mark.parametrize("text", ["", "   \n ", "hello"])
def test_empty_or_one_word_corpus_is_an_error_and_the_model_stays(train_page, text):
    at = train_page
    before = at.session_state["model"]
    at.radio(key="train_source").set_value("Paste text").run()
    at.text_area(key="train_paste").set_value(text).run()
    assert at.error and "cannot be trained on" in shown(at.error[0].value)
    assert at.button(key="train_go").disabled  # AppTest, like a browser, cannot click it
    assert not at.exception and at.session_state["model"] is before


def test_pasted_char_level_text_trains_a_char_model(train_page):
    at = train_page
    at.radio(key="train_source").set_value("Paste text").run()
    at.radio(key="train_level").set_value("char").run()
    at.text_area(key="train_paste").set_value("abcabc").run()
    at.number_input(key="train_steps").set_value(20)
    at.button(key="train_go").click().run()
    model = at.session_state["model"]
    assert model.level == "char" and model.vocab.tokens == ("a", "b", "c") and model.steps_trained == 20


def test_too_big_a_model_is_an_error_and_the_model_stays(train_page):
    at = train_page
    before = at.session_state["model"]
    at.radio(key="train_source").set_value("Paste text").run()
    at.text_area(key="train_paste").set_value(" ".join(f"w{i}" for i in range(12_000))).run()
    at.number_input(key="train_H").set_value(1024)
    at.number_input(key="train_E").set_value(1024)
    at.button(key="train_go").click().run()
    assert not at.exception and at.session_state["model"] is before
    assert any("parameters" in shown(e.value) for e in at.error)


def test_a_diverging_learning_rate_warns_keeps_the_model_and_offers_the_last_good_weights(train_page):
    at = train_page
    before = at.session_state["model"]
    at.selectbox(key="train_opt").set_value("sgd")
    at.number_input(key="train_lr").set_value(10.0)
    at.number_input(key="train_clip").set_value(0.0)
    at.number_input(key="train_steps").set_value(200)
    at.button(key="train_go").click().run()
    assert not at.exception
    assert at.warning and "diverged" in at.warning[0].value
    assert at.session_state["model"] is before
    at.button(key="train_adopt").click().run()
    adopted = at.session_state["model"]
    run = at.session_state["train_run"]
    assert adopted is run.model and 0 < adopted.steps_trained < 200
    assert all(np.isfinite(v).all() for v in adopted.params.as_dict().values())


def test_uploading_a_model_file_replaces_the_model(train_page):
    at = train_page
    other = rc.train(rc.new_model(rc.make_corpus("a b c", "word", "abc"), rc.TrainConfig(steps=5)),
                     rc.make_corpus("a b c", "word", "abc"), rc.TrainConfig(steps=5))[0]
    at.file_uploader(key="train_npz_file").set_value(("abc.npz", rc.to_bytes(other), "application/octet-stream")).run()
    assert not at.exception
    assert at.session_state["model"].vocab.tokens == ("a", "b", "c", "</s>")
    assert "abc" in sidebar_text(at) and at.success


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04broken", None])
def test_uploading_a_broken_model_file_leaves_the_model_as_it_was(train_page, data):
    at = train_page
    before = at.session_state["model"]
    if data is None:  # an .npz of another program: valid arrays, wrong keys
        import io

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


def test_a_run_interrupted_by_stop_keeps_what_it_learned(train_page):
    """The Stop click reruns the script, which Streamlit interrupts inside the training
    callback; the next run finds the partial Run in session state and installs it."""
    at = train_page
    corpus, config = rc.seed_corpus(), rc.TrainConfig(steps=60)
    start = tv.start_model(corpus, config)
    run = tv.Run(start, 60, start.params)
    rc.train(start, corpus, config, lambda info: run.on_step(info) or info.step < 20)
    at.session_state["train_live"] = run
    at.run()
    assert not at.exception
    model = at.session_state["model"]
    assert model.steps_trained == 20 and "train_live" not in at.session_state
    assert any("stopped at step 20 of 60" in s.value.lower() for s in at.success)
    assert "20 steps trained" in sidebar_text(at)


def test_two_sessions_do_not_share_a_model():
    one = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    two = AppTest.from_file(APP, default_timeout=120).run().switch_page(PAGE).run()
    one.number_input(key="train_steps").set_value(10)
    one.button(key="train_go").click().run()
    two.run()
    assert one.session_state["model"].steps_trained == 10
    assert two.session_state["model"].steps_trained == 60
    assert two.session_state["model"].corpus_name == "seed: I love deep learning"
