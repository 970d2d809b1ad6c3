"""AppTest for the model's link: a model set in a session is kept in the model store and named by
``?model=<id>`` on every page; a run with that link opens it; an unknown id says so and opens the
seed model. And the sidebar card never takes a page down, whatever a model file carries."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import shown
from ui.common import model_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SEED = "I love deep learning"
PAGES = ["pages/home.py", "pages/step-through.py", "pages/generate.py", "pages/train.py"]


def trained(name: str = "mine", text: str = "one two three one two") -> rc.Model:
    corpus = rc.make_corpus(text, "word", name=name)
    config = rc.TrainConfig(steps=5, hidden_size=4, embed_dim=4)
    model, _, _ = rc.training.record_training(rc.new_model(corpus, config), corpus, config)
    return model


def opened(query: dict[str, str]) -> AppTest:
    """A new session whose first run has ``query`` in its link."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, model: rc.Model) -> None:
    at.switch_page("pages/train.py").run()
    at.file_uploader(key="train_npz_file").set_value(("mine.npz", rc.to_bytes(model), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception


def card(at: AppTest) -> str:
    return shown(" ".join(m.value for m in at.sidebar.markdown) + " " + " ".join(c.value for c in at.sidebar.caption))


def warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning]


def test_a_set_model_puts_its_store_id_in_the_link():
    at = opened({})
    assert "model" not in at.query_params  # the seed model needs no id
    model = trained()
    upload(at, model)
    key = at.query_params["model"]
    assert key == model_store.model_id(rc.to_bytes(model))
    assert model_store.default_store().path(key).exists()


def test_a_run_with_the_link_opens_the_stored_model_with_its_history():
    model = trained()
    key = model_store.store_model(model)
    at = opened({"model": key})
    got = at.session_state["model"]
    assert got.corpus_name == "mine" and np.array_equal(got.params.W_h, model.params.W_h)
    assert np.array_equal(got.history.losses, model.history.losses)
    assert at.query_params["model"] == key and not at.warning
    assert "mine" in card(at) and "5 steps trained" in card(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opened_by_a_link_shows_the_linked_model(page):
    key = model_store.store_model(trained())
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["model"] = key
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.session_state["model"].corpus_name == "mine" and at.query_params["model"] == key


@pytest.mark.parametrize("key", ["0" * 32, "not-an-id", "../../etc/passwd"])
def test_an_unknown_id_gives_one_message_and_the_seed_model(key):
    at = opened({"model": key})
    assert at.session_state["model"].corpus_name == SEED
    (message,) = warnings(at)
    assert message == ("This link's model is not on this server (unknown, or removed to make room); "
                       "this is the seed model.")
    assert "\n" not in message
    assert "model" not in at.query_params  # the link now says what is on screen: the seed model


def test_the_message_stays_on_its_page_and_goes_with_the_next_page():
    at = opened({"model": "0" * 32})
    at.run()
    assert len(at.warning) == 1
    at.switch_page("pages/generate.py").run()
    assert not at.warning


def test_a_link_whose_model_could_not_be_kept_says_it_is_lost_and_how_to_get_it_back():
    at = opened({"model": "unstored"})
    assert at.session_state["model"].corpus_name == SEED
    (message,) = warnings(at)
    assert "lost: load or train it again under Train" in message and message.endswith("this is the seed model.")


def test_an_evicted_model_gives_the_message(monkeypatch):
    key = model_store.store_model(trained())
    other = rc.to_bytes(trained("other", "four five six four"))
    monkeypatch.setenv(model_store.ENV, str(len(other) / model_store.MB))  # only the other model fits
    model_store.default_store().put(other)
    assert not model_store.default_store().path(key).exists()
    at = opened({"model": key})
    assert at.session_state["model"].corpus_name == SEED
    assert warnings(at)[0].startswith("This link's model is not on this server")


def test_a_page_switch_that_drops_the_link_gets_it_back_and_keeps_the_model():
    key = model_store.store_model(trained())
    at = opened({"model": key})
    del at.query_params["model"]  # what a browser's page switch does
    at.switch_page("pages/step-through.py").run()
    assert at.session_state["model"].corpus_name == "mine" and at.query_params["model"] == key


def test_step_through_writes_its_keys_beside_the_models():
    key = model_store.store_model(trained())
    at = opened({"model": key, "big": "1"})
    at.switch_page("pages/step-through.py").run()
    at.radio(key="step_rule").set_value("greedy").run()  # a setting: Step-Through writes its keys again
    assert not at.exception, at.exception
    assert at.query_params["model"] == key and at.query_params["rule"] == "greedy" and at.query_params["big"] == "1"


def test_a_stale_link_of_the_sessions_own_does_not_bring_back_its_earlier_model():
    """A rerun may carry the link as it was before the visitor's new model was written into it."""
    first = model_store.store_model(trained())
    at = opened({"model": first})
    upload(at, trained("newer", "seven eight nine seven"))
    newer = at.query_params["model"]
    at.query_params["model"] = first
    at.run()
    assert at.session_state["model"].corpus_name == "newer" and at.query_params["model"] == newer


def test_a_link_naming_another_stored_model_mid_session_opens_it():
    at = opened({})
    key = model_store.store_model(trained())
    at.query_params["model"] = key
    at.run()
    assert at.session_state["model"].corpus_name == "mine"


def test_an_unknown_link_mid_session_keeps_the_sessions_model():
    key = model_store.store_model(trained())
    at = opened({"model": key})
    at.query_params["model"] = "f" * 32
    at.run()
    assert at.session_state["model"].corpus_name == "mine" and at.query_params["model"] == key
    assert warnings(at)[0].startswith("This link's model is not on this server")


def with_model(model: rc.Model, check=(False, "")) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["model"] = model
    at.session_state["model_check"] = check
    at.session_state["model_version"] = 1
    return at.run()


def test_the_card_repairs_a_lone_surrogate_and_shortens_a_long_name():
    base = trained()
    name = "\ud800" + "x" * 999
    model = rc.Model(base.params, base.vocab, base.level, base.config, name, base.corpus_text)
    at = with_model(model, (False, "a\udfffb"))
    assert not at.exception, at.exception
    text = card(at)
    assert "\ufffd" + "x" * 98 + "…" in text and "x" * 100 not in text  # 100 characters, the cut included
    assert "a\ufffdb" in text
    assert at.title  # the page below the card drew


def test_a_failure_inside_the_card_shows_in_the_card_only():
    at = with_model(trained(), check=None)  # the card cannot unpack its check
    assert not at.exception
    assert any("model card could not be drawn" in e.value for e in at.sidebar.error)
    assert at.title[0].value == "RNN Autoregression Lab"
    at.switch_page("pages/generate.py").run()
    assert not at.exception and at.title
