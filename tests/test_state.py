"""ui.state outside a browser: installing a model is all or nothing."""

import types

import pytest

import rnn_core as rc
from ui import state


def test_a_model_whose_check_fails_is_not_half_installed(monkeypatch, tiny_model, random_model):
    """The sidebar's check runs before anything is stored: if it raises, the previous model, its
    check and the version that pages key their caches to all stay as they were."""
    before = {state.MODEL: tiny_model, state.CHECK: (True, "a b </s>"), state.VERSION: 3}
    session = types.SimpleNamespace(session_state=dict(before))
    monkeypatch.setattr(state, "st", session)

    def check_fails(*args, **kwargs):
        raise rc.ConfigError("max tokens must be a whole number from 1 to 500")

    monkeypatch.setattr(state.rc, "regenerates", check_fails)
    with pytest.raises(rc.ConfigError):
        state.set_model(random_model)
    assert session.session_state == before


def test_installing_a_model_stores_it_with_its_check_and_a_new_version(monkeypatch, random_model):
    session = types.SimpleNamespace(session_state={state.VERSION: 3})
    monkeypatch.setattr(state, "st", session)
    state.set_model(random_model)
    assert session.session_state[state.MODEL] is random_model
    assert session.session_state[state.VERSION] == 4
    ok, text = session.session_state[state.CHECK]
    assert text.startswith("one ")  # greedy from the corpus's first word
