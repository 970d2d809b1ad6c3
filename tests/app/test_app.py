"""AppTest for the entry script, the home page and the per-visitor state shared by all pages."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/home.py", "pages/train.py", "pages/step-through.py", "pages/generate.py"]


@pytest.fixture
def app():
    return AppTest.from_file(APP, default_timeout=60).run()


def sidebar_text(at) -> str:
    """The card as a reader sees it: Markdown sources without their backslash escapes."""
    source = " ".join(m.value for m in at.sidebar.markdown) + " " + " ".join(c.value for c in at.sidebar.caption)
    return shown(source)


def test_first_visit_has_the_trained_seed_model(app):
    assert not app.exception
    model = app.session_state["model"]
    assert model.vocab.tokens == ("I", "love", "deep", "learning", "</s>")
    assert model.steps_trained == rc.TrainConfig().steps
    assert app.session_state["model_check"] == (True, "I love deep learning </s>")


def test_the_preloaded_seed_model_keeps_its_training_history(app):
    model = app.session_state["model"]
    plain, report = rc.train(rc.seed_model(), rc.seed_corpus(), rc.seed_config())
    assert model.history.losses.tolist() == report.losses  # one loss per step, as training had them
    assert model.history.steps[0] == 0 and len(model.checkpoints()) == 20
    assert model.params.W_h.tolist() == plain.params.W_h.tolist()  # recording changed nothing


def test_sidebar_card_describes_the_model(app):
    text = sidebar_text(app)
    assert "I love deep learning" in text
    assert "word level · V = 5 · E = 3 · H = 3" in text
    assert "greedy regenerates" in text and "I love deep learning </s>" in text


def test_home_shows_the_three_equations_and_the_shape_note(app):
    latex = " ".join(x.value for x in app.latex)
    assert r"h_t = \tanh" in latex and "W_h\\,h_{t-1}" in latex
    assert r"o_t = W_y\,h_t + b_y" in latex
    assert r"y_t = \mathrm{softmax}(o_t)" in latex
    body = " ".join(m.value for m in app.markdown)
    assert "fed back" in body and "ground-truth future tokens" in body
    assert "**5 × 3**" in body  # the seed's 3x3 W_y is V x H here


def test_home_presents_the_seed_walk_through_with_the_presets_numbers(app):
    """The pages quote "the seed document" and its steps: Home tells its walk-through, with h_1 of
    the untrained preset computed here by hand from its weights (x_1 = [0.1, 0.3, 0.5], h_0 = 0)."""
    body = " ".join(m.value for m in app.markdown)
    for n, name in enumerate(["Parameters", "The start", "The first hidden state", "The first output",
                              "Feeding back"], start=1):
        assert f"**Step {n} · {name}.**" in body
    assert "$x_1 = [0.1, 0.3, 0.5]$" in body and "$h_0 = [0, 0, 0]$" in body
    p = rc.seed_model().params
    h_1 = np.tanh(p.W_x @ np.array([0.1, 0.3, 0.5]) + p.b_h)
    assert "$h_1 = [" + ", ".join(f"{v:.3f}" for v in h_1) + "]$" in body


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(app, page):
    app.switch_page(page).run()
    assert not app.exception
    assert "Current model" in sidebar_text(app)


def test_two_sessions_do_not_share_a_model():
    a = AppTest.from_file(APP, default_timeout=60).run()
    b = AppTest.from_file(APP, default_timeout=60).run()
    corpus = rc.make_corpus("one two three", "word", name="mine")
    config = rc.TrainConfig(steps=5)
    trained, _ = rc.train(rc.new_model(corpus, config), corpus, config)
    a.session_state["model"] = trained
    a.run()
    b.run()
    assert a.session_state["model"].corpus_name == "mine"
    assert b.session_state["model"].corpus_name == "I love deep learning"
    assert b.session_state["model"].params.embedding is not a.session_state["model"].params.embedding


def test_seed_models_of_two_sessions_are_separate_objects():
    """Changing one visitor's weights in place must not reach another visitor (no shared cache)."""
    a = AppTest.from_file(APP, default_timeout=60).run()
    b = AppTest.from_file(APP, default_timeout=60).run()
    W_h_b = b.session_state["model"].params.W_h.copy()
    a.session_state["model"].params.W_h[:] = 42.0
    b.run()
    assert (b.session_state["model"].params.W_h == W_h_b).all()


def test_leaving_the_train_page_mid_run_keeps_its_progress_on_any_page(app):
    """A run still training in its worker when the visitor opens another page is stopped and
    installed by app.py, so the page they went to (and its sidebar) already shows the partly
    trained model."""
    import time

    from ui.train import worker

    corpus = rc.training.builtin_corpus("known answer: counting a ab abc (char level)")
    config = rc.TrainConfig(steps=rc.training.SETTING["steps"].high, hidden_size=16)
    job = worker.Job(worker.Request(rc.training.start_model(corpus, config), corpus, config))
    deadline = time.monotonic() + 60
    while job.progress().step == 0:  # a guard against hanging, not a measure of speed
        assert time.monotonic() < deadline
        time.sleep(0.02)
    app.session_state["train_live"] = job
    app.switch_page("pages/step-through.py").run()
    assert not app.exception
    model = app.session_state["model"]
    assert model.corpus_name == corpus.name and 0 < model.steps_trained < config.steps
    assert "train_live" not in app.session_state
    assert f"{model.steps_trained} steps trained" in sidebar_text(app)


def test_the_sidebar_card_stays_when_a_page_stops_on_bad_input(app):
    """Generate stops the script after an unknown prompt; the card must still be there."""
    app.switch_page("pages/generate.py").run()
    (prompt,) = [t for t in app.text_input if t.label.startswith("Prompt")]
    prompt.set_value("I lov").run()
    assert not app.exception
    assert any("'lov' is not in the vocabulary" in shown(e.value) for e in app.error)
    assert "Current model" in sidebar_text(app) and "V = 5" in sidebar_text(app)
