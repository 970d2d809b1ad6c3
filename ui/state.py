"""Per-visitor session state shared by every page, and the sidebar's model card.

The model lives in ``st.session_state`` (never ``st.cache_resource``, which every visitor would
share). Keys: ``model`` (the current ``rnn_core.Model``), ``model_check`` (does greedy generation
regenerate the first training sentence, and what it gave), ``model_version`` (bumped on every
change, so pages can key their own cached traces to it).
"""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.pages_mode import leave_legacy_pages_mode
from ui.text import md_literal

MODEL, CHECK, VERSION = "model", "model_check", "model_version"


def start_page() -> rc.Model:
    """Every page's first call: make sure the page runs through ``app.py`` (a deep link on a
    fresh server runs the page file alone, see ``ui.pages_mode``), then return the model."""
    leave_legacy_pages_mode()
    return current_model()


@st.cache_data(show_spinner=False)
def seed_model_bytes() -> bytes:
    """The seed preset trained with its default settings, as model-file bytes, with its training
    history (loss per step, snapshots) so its loss curve and earlier weights can be shown.

    Cached as bytes: ``cache_data`` gives each caller its own copy, so no visitor can change
    another's model, and only the first visitor of a server waits the fraction of a second.
    """
    model = rc.seed_model()
    trained, _, _ = rc.record_training(model, rc.seed_corpus(), model.config)
    return rc.to_bytes(trained)


def current_model() -> rc.Model:
    """This visitor's model; on a first visit, the trained seed model."""
    if MODEL not in st.session_state:
        set_model(rc.from_bytes(seed_model_bytes()))
    return st.session_state[MODEL]


def set_model(model: rc.Model) -> None:
    """Make ``model`` this visitor's model, all or nothing: its sidebar check is computed before
    anything is stored, so a failure leaves the previous model, check and version as they were."""
    check = model_check(model)
    st.session_state.update({MODEL: model, CHECK: check, VERSION: st.session_state.get(VERSION, 0) + 1})


def model_check(model: rc.Model) -> tuple[bool, str]:
    """(does greedy generation regenerate the first training sentence, the text it gave);
    (False, "") when the model stores no training text."""
    corpus = model.corpus()
    return rc.regenerates(model, rc.first_sentence(corpus)) if corpus else (False, "")


def model_version() -> int:
    current_model()
    return st.session_state[VERSION]


def sidebar_card(slot) -> None:
    """The current model at a glance, drawn into ``slot`` (an ``st.sidebar.empty()``): app.py
    draws it before the page runs, so a page that stops early still has it, and again after."""
    model = current_model()
    V, E, H = model.params.sizes
    ok, text = st.session_state[CHECK]
    with slot.container(border=True):
        st.markdown(f"**Current model** · {md_literal(model.corpus_name)}")
        st.caption(f"{model.level} level · V = {V} · E = {E} · H = {H}")
        loss = "untrained" if model.steps_trained == 0 else f"loss {model.last_loss:.4f}"
        st.caption(f"{model.steps_trained} steps trained · {loss}")
        if model.corpus() is None:
            st.caption("no training text stored with this model")
        elif ok:
            st.caption(f"✅ greedy regenerates: *{md_literal(text.strip())}*")  # "*abc *" is no emphasis
        else:
            st.caption(f"❌ greedy gives: *{md_literal(text.strip()) or '(nothing)'}*")
