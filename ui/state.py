"""Per-visitor session state shared by every page, and the sidebar's model card.

The model lives in ``st.session_state`` (never ``st.cache_resource``, which every visitor would
share). Keys: ``model`` (the current ``rnn_core.Model``), ``model_check`` (does greedy generation
regenerate the first training sentence, and what it gave), ``model_version`` (bumped on every
change, so pages can key their own cached traces to it).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import rnn_core as rc
from rnn_core.sample import regenerates
from rnn_core.tokens import first_sentence

MODEL, CHECK, VERSION = "model", "model_check", "model_version"


def leave_legacy_pages_mode() -> None:
    """Switch a fresh server out of Streamlit's v1 multipage mode, then rerun.

    Streamlit turns v1 mode on for the first session of a server process when a ``pages/`` folder
    sits next to the entry script (streamlit#10276), and our user asked for that folder. In v1
    mode the first visitor of a deep link would get the page without ``app.py`` (legacy menu, no
    sidebar card). ``st.navigation`` turns the flag off; we do it first and rerun, so the rerun
    goes through ``app.py``. The v1 page's URL equals our ``url_path``, so the rerun lands on the
    same page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


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
    """This visitor's model; on a first visit, the trained seed model.

    Every page starts by calling this, so it also makes sure the page runs through ``app.py``
    (see ``leave_legacy_pages_mode``) even when it is the first page a fresh server serves.
    """
    leave_legacy_pages_mode()
    if MODEL not in st.session_state:
        set_model(rc.from_bytes(seed_model_bytes()))
    return st.session_state[MODEL]


def set_model(model: rc.Model) -> None:
    """Make ``model`` this visitor's model and recheck it for the sidebar."""
    corpus = model.corpus()
    st.session_state[MODEL] = model
    st.session_state[CHECK] = regenerates(model, first_sentence(corpus)) if corpus else (False, "")
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


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
        st.markdown(f"**Current model** · {model.corpus_name}")
        st.caption(f"{model.level} level · V = {V} · E = {E} · H = {H}")
        loss = "untrained" if model.steps_trained == 0 else f"loss {model.last_loss:.4f}"
        st.caption(f"{model.steps_trained} steps trained · {loss}")
        if model.corpus() is None:
            st.caption("no training text stored with this model")
        elif ok:
            st.caption(f"✅ greedy regenerates: *{text}*")
        else:
            st.caption(f"❌ greedy gives: *{text or '(nothing)'}*")
