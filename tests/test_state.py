"""ui.common.session outside a browser: installing a model is all or nothing, and keeps it in the model store
with its id in the link."""

import types

import numpy as np
import pytest

import rnn_core as rc
from ui.common import model_store
from ui.common import session as state


@pytest.fixture
def session(monkeypatch, tmp_path):
    """Streamlit's session state and query string as plain dicts, and a store of this test's own."""
    fake = types.SimpleNamespace(session_state={state.VERSION: 3}, query_params={"step": "2"})
    monkeypatch.setattr(state, "st", fake)
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path))
    monkeypatch.delenv(model_store.ENV, raising=False)
    return fake


def test_a_model_whose_check_fails_is_not_half_installed(monkeypatch, session, tiny_model, random_model):
    """The sidebar's check runs before anything is stored: if it raises, the previous model, its
    check, the version that pages key their caches to, and the link all stay as they were."""
    session.session_state.update({state.MODEL: tiny_model, state.CHECK: (True, "a b </s>")})
    before = dict(session.session_state)

    def check_fails(*args, **kwargs):
        raise rc.ConfigError("max tokens must be a whole number from 1 to 500")

    monkeypatch.setattr(state.rc.decoding, "regenerates", check_fails)
    with pytest.raises(rc.ConfigError):
        state.set_model(random_model)
    assert session.session_state == before and session.query_params == {"step": "2"}
    assert not list(model_store.default_store().folder.glob("*.npz"))


def test_installing_a_model_stores_it_with_its_check_a_new_version_and_its_link(session, random_model):
    state.set_model(random_model)
    ss = session.session_state
    assert ss[state.MODEL] is random_model and ss[state.VERSION] == 4
    ok, text = ss[state.CHECK]
    assert text.startswith("one ")  # greedy from the corpus's first word
    key = ss[state.MODEL_ID]
    assert session.query_params == {"step": "2", "model": key}  # the page's own keys stay
    again = rc.load(str(model_store.default_store().path(key)))
    assert np.array_equal(again.params.W_y, random_model.params.W_y) and again.vocab == random_model.vocab


def test_a_model_too_large_for_the_store_is_installed_and_its_link_says_so(monkeypatch, session, random_model):
    monkeypatch.setenv(model_store.ENV, "0.001")  # 1,000 bytes
    state.set_model(random_model)
    ss = session.session_state
    assert ss[state.MODEL] is random_model and ss[state.MODEL_ID] is None
    assert "model store holds at most 0.001 MB" in ss[state.NOT_KEPT]
    assert session.query_params == {"step": "2", "model": state.UNSTORED}


def test_a_store_that_cannot_be_written_keeps_the_model_in_the_tab(monkeypatch, session, random_model):
    def read_only(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(model_store.ModelStore, "put", read_only)
    state.set_model(random_model)
    ss = session.session_state
    assert ss[state.MODEL] is random_model
    assert ss[state.NOT_KEPT] == "the server could not write its model store (Permission denied)"


def test_storing_the_same_model_again_gives_the_same_link(session, random_model):
    state.set_model(random_model)
    first = session.query_params["model"]
    state.set_model(rc.from_bytes(rc.to_bytes(random_model)))
    assert session.query_params["model"] == first and session.session_state[state.VERSION] == 5
