"""Home under AppTest: one action first (the walk-through of the trained preset on Step-Through),
the untrained numbers of the story tied to training step 0, and "seed" naming one thing only."""

from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import APP, shown
from tests.app.walk import record
from ui.common.session import seed_model_bytes
from ui.train import keys


@pytest.fixture
def home():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def numbers(v) -> str:
    return "[" + ", ".join(f"{float(z):.3f}" for z in v) + "]"


def other_model() -> rc.Model:
    corpus = rc.make_corpus("one two three", "word", "mine")
    return rc.train(rc.new_model(corpus, rc.TrainConfig(steps=5)), corpus, rc.TrainConfig(steps=5))[0]


def test_home_opens_with_one_primary_action_the_walk_through(home):
    first, *others = home.button
    assert first.label == "Start the walk-through ▶" and first.proto.type == "primary"
    assert all(b.proto.type != "primary" for b in others)
    # before the story: the action is the first thing after the title and one sentence
    blocks = [node.type for node in home.main if node.type in ("markdown", "caption", "button", "header")]
    assert blocks[:4] == ["markdown", "button", "caption", "header"]  # intro, action, what it opens, the story
    assert "one step per click" in shown(home.caption[0].value)


def test_the_action_opens_step_through_at_step_1_on_the_trained_preset(home):
    home.button(key="home_start").click().run()
    assert not home.exception, home.exception
    assert home.query_params["step"] == "1"
    model = home.session_state["model"]
    assert model.corpus_name == "I love deep learning" and model.steps_trained == 60
    walk = record(home)  # Step-Through's step area, at step 1
    assert walk["title"] == "Step-Through" and walk["goto"]["step"] == 1


def test_the_action_brings_back_the_preset_when_another_model_is_current(home):
    home.session_state["model"] = other_model()
    home.session_state["model_check"] = (False, "")
    home.run()
    assert "It replaces your current model" in shown(home.caption[0].value)
    home.button(key="home_start").click().run()
    model, preset = home.session_state["model"], rc.from_bytes(seed_model_bytes())
    assert model.corpus_name == "I love deep learning" and model.steps_trained == 60
    assert all(np.array_equal(a, b) for a, b in zip(model.params.as_dict().values(), preset.params.as_dict().values()))


def test_the_untrained_numbers_say_training_moved_them_and_open_step_0(home):
    """The story's h_1 is the untrained preset's; the trained model's x_1 is another; and the weights
    the trained model kept from training step 0 give exactly the story's numbers (what the link
    promises), computed here by hand from those weights."""
    preset = rc.from_bytes(seed_model_bytes())
    I = preset.vocab.id("I")
    untrained = rc.seed_model().params
    h_1 = np.tanh(untrained.W_x @ np.array([0.1, 0.3, 0.5]) + untrained.b_h)
    body = " ".join(m.value for m in home.markdown)
    assert f"$h_1 = {numbers(h_1)}$" in body
    step_0 = dict(preset.checkpoints())[0]
    assert np.allclose(np.tanh(step_0.W_x @ step_0.embedding[I] + step_0.b_h), h_1, atol=1e-12)
    (note,) = [i.value for i in home.info if "before training" in i.value]
    assert "Training moved every weight" in note
    assert f"$x_1 = {numbers(preset.params.embedding[I])}$" in note  # the trained x_1, not [0.1, 0.3, 0.5]
    home.button(key="home_step_0").click().run()
    assert not home.exception, home.exception
    assert home.query_params["weights"] == "0" and home.query_params["step"] == "1"
    model = home.session_state["model"]
    at_0 = replace(model, params=dict(model.checkpoints())[0])
    assert np.allclose(rc.generate(at_0, ["I"], rc.GREEDY, max_tokens=1)[0].h, h_1, atol=1e-12)


def texts(at: AppTest) -> list[str]:
    """Every text a visitor reads on the page: prose, labels, options, help."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                                "warning", "error") for e in getattr(at, kind)]
    for kind in ("button", "number_input", "selectbox", "radio", "text_area", "toggle", "slider"):
        for w in getattr(at, kind):
            out += [str(w.label), str(getattr(w, "help", "") or "")]
            out += [str(o) for o in getattr(w, "options", [])]
    out += [e.proto.label for e in at.get("expandable")]
    return out


def test_seed_names_only_the_random_seed_on_home_and_train(home):
    pages = [home]
    train = AppTest.from_file(APP, default_timeout=60).run()
    train.switch_page("pages/train.py").run()
    for key in keys.FOLDS.values():
        train.session_state[key] = True
    train.run()
    assert not train.exception, train.exception
    pages.append(train)
    for at in pages:
        for text in texts(at):
            assert "seed" not in text.lower().replace("random seed", ""), text
    assert any("random seed" in t for t in texts(train))
