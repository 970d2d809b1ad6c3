"""Per-visitor session state shared by every page, the model's link, and the sidebar's model card.

The model lives in ``st.session_state`` (never ``st.cache_resource``, which every visitor would
share). Keys: ``model`` (the current ``rnn_core.Model``), ``model_check`` (does greedy generation
regenerate the first training sentence, and what it gave), ``model_version`` (bumped on every
change, so pages can key their own cached traces to it), ``model_id`` (its id in the model store,
None for the seed model or a model the store could not keep) and ``model_not_kept`` (why not).

Every model a visitor sets is kept in the server's model store (``ui.common.model_store``) and its id put
in the page's link, ``?model=<id>``: a reload, a new tab, another replica or a slide link opens the
same model. No ``model`` key means the seed model; ``model=unstored`` says the tab's model could
not be kept, so a new session can say it was lost instead of silently showing the seed model.
"""

from __future__ import annotations

import logging
from typing import Callable

import streamlit as st

import rnn_core as rc
from ui.common import model_store
from ui.common.pages_mode import leave_legacy_pages_mode
from ui.common.text import md_literal, readable

MODEL, CHECK, VERSION = "model", "model_check", "model_version"
HIDE_WALK = "card_hides_walk"  # set by a page for this run's card (see ``hide_walk``)
MODEL_ID, NOT_KEPT = "model_id", "model_not_kept"
SEEN = "model_ids_seen"  # every id this session has had: a stale link of its own is not a new link
LINK_NOTICE = "model_link_notice"  # (message, url path of the page it is shown on, None until shown)
LINK_KEY = "model"  # ?model=<id>
UNSTORED = "unstored"  # ?model=unstored: the tab's model could not be kept
NAME_CHARS = 100  # a model's name in the card, at most (a file may carry 1,000 characters)
TEXT_CHARS = 200  # greedy text in the card, at most
RECONNECT_TIMER_S = 3600  # see rerun_after_reconnect: the timer only has to exist
log = logging.getLogger(__name__)


def start_page() -> rc.Model:
    """Every page's first call: make sure the page runs through ``app.py`` (a deep link on a
    fresh server runs the page file alone, see ``ui.common.pages_mode``), then return the model."""
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
    trained, _, _ = rc.training.record_training(model, rc.seed_corpus(), model.config)
    return rc.to_bytes(trained)


def trained_seed() -> rc.Model:
    """A visitor's own copy of the trained seed model."""
    return rc.from_bytes(seed_model_bytes())


def current_model() -> rc.Model:
    """This visitor's model. On a session's first run: the model its link names, or the trained
    seed model. Later, a link naming a model this session has not had opens that one. The link
    is written again on every run: a page switch drops the query string."""
    ss = st.session_state
    linked = st.query_params.get(LINK_KEY)
    if MODEL not in ss:
        open_link(linked, first=True)
    elif model_store.is_model_id(linked) and linked not in ss.get(SEEN, ()):
        open_link(linked, first=False)
    write_link()
    return ss[MODEL]


def open_link(linked: str | None, first: bool) -> None:
    """Install the model ``linked`` names (None: the seed model). One it cannot open leaves a
    notice, and the seed model on a first run, else the session's model."""
    if linked is None:
        install(trained_seed(), None, None)
        return
    if linked == UNSTORED:
        problem = ("This tab's model could not be kept on the server and is lost: load or train it again "
                   "under Train")
    else:
        try:
            model = model_store.open_model(linked)
            check = model_check(model)
        except model_store.UnknownModel:
            problem = "This link's model is not on this server (unknown, or removed to make room)"
        except Exception as e:  # a stored file this version of the app cannot use: say so, keep the page up
            log.warning("stored model %s not opened: %r", linked, e)
            problem = f"This link's model could not be opened ({md_literal(readable(e, 200))})"
        else:
            install(model, linked, None, check)
            return
    st.session_state[SEEN] = st.session_state.get(SEEN, frozenset()) | {linked}
    ending = "; this is the seed model." if first else "; your current model stays."
    st.session_state[LINK_NOTICE] = (problem + ending, None)
    if first:
        install(trained_seed(), None, None)


def set_model(model: rc.Model) -> None:
    """Make ``model`` this visitor's model, kept in the model store and named by the page's link.
    All or nothing: its sidebar check is computed before anything is stored, so a failure leaves
    the previous model, check, version and link as they were. A model the store cannot keep is
    still installed; the card says why it is not kept."""
    check = model_check(model)
    key, not_kept = keep(model)
    install(model, key, not_kept, check)
    st.session_state.pop(LINK_NOTICE, None)
    write_link()


def keep(model: rc.Model) -> tuple[str | None, str | None]:
    """(its id in the model store, None) or (None, why it could not be kept)."""
    try:
        return model_store.store_model(model), None
    except model_store.ModelTooLarge as e:
        return None, f"{e}"
    except OSError as e:
        log.warning("model store not written: %s", e)
        return None, f"the server could not write its model store ({e.strerror or e})"
    except Exception as e:  # a model rnn_core cannot write as a file: the visitor keeps it in this tab
        log.exception("model not stored")
        return None, f"it could not be written as a model file ({e})"


def install(model: rc.Model, key: str | None, not_kept: str | None, check: tuple[bool, str] | None = None) -> None:
    ss = st.session_state
    check = model_check(model) if check is None else check
    seen = ss.get(SEEN, frozenset()) | ({key} if key else set())
    ss.update({MODEL: model, CHECK: check, VERSION: ss.get(VERSION, 0) + 1, MODEL_ID: key, NOT_KEPT: not_kept,
               SEEN: seen})


def write_link() -> None:
    """Put the current model's id (or ``unstored``) in the query string, or take the key out for
    the seed model; other keys of the query string (the pages' own) stay as they are."""
    ss = st.session_state
    wanted = ss.get(MODEL_ID) or (UNSTORED if ss.get(NOT_KEPT) else None)
    if wanted is None:
        if LINK_KEY in st.query_params:
            del st.query_params[LINK_KEY]
    elif st.query_params.get(LINK_KEY) != wanted:
        st.query_params[LINK_KEY] = wanted


@st.fragment(run_every=RECONNECT_TIMER_S)
def rerun_after_reconnect() -> None:
    """Draws nothing; its timer is what counts. Streamlit's front end reruns a page by itself after
    its connection comes back only when the page holds a fragment that reruns on a timer. With
    replicas (deploy/start.sh) the connection of a tab whose replica died comes back to another
    process: that rerun makes the new session open the model the tab's link names at once, instead
    of the dead session's page staying on screen until the next click (and the click on a sidebar
    link would not even send ``?model=``: a page switch drops the query string)."""


def show_link_notice(page_path: str) -> None:
    """The message about a link whose model could not be opened, on the page the link opened, until
    the visitor goes to another page or sets a model."""
    ss = st.session_state
    if LINK_NOTICE not in ss:
        return
    text, shown_on = ss[LINK_NOTICE]
    if shown_on is None:
        ss[LINK_NOTICE] = (text, page_path)
    elif shown_on != page_path:
        del ss[LINK_NOTICE]
        return
    st.warning(text, icon="🔗")


def model_check(model: rc.Model) -> tuple[bool, str]:
    """(does greedy generation regenerate the first training sentence, the text it gave);
    (False, "") when the model stores no training text."""
    corpus = model.corpus()
    return rc.decoding.regenerates(model, rc.training.first_sentence(corpus)) if corpus else (False, "")


def model_version() -> int:
    current_model()
    return st.session_state[VERSION]


def sidebar_card(slot, complete: bool = True) -> None:
    """The current model at a glance, drawn into ``slot`` (an ``st.sidebar.empty()``): app.py
    draws it before the page runs (``complete=False``: without the model's name and its greedy
    text, which a class guessing the walk must not see), so a page that stops early still has
    it, and again after, whole unless the page asked to hide them (``hide_walk``).
    What a model file carries is repaired and shortened for display; should drawing still fail,
    the card says so and the page goes on."""
    hidden = not complete or st.session_state.pop(HIDE_WALK, False)
    try:
        with slot.container(border=True):
            card_lines(current_model(), hidden)
    except Exception as e:  # whatever a model file holds, the page and the navigation must stay usable
        log.exception("model card not drawn")
        slot.error(f"The model card could not be drawn ({md_literal(readable(type(e).__name__, 80))}); "
                   "the pages still work with the current model.")


def greedy_line(model: rc.Model, ok: bool, text: str) -> None:
    """Does greedy generation regenerate the first training sentence, and what it gave."""
    shown = md_literal(readable(text.strip(), TEXT_CHARS))  # "*abc *" is no emphasis
    if model.corpus() is None:
        st.caption("no training text stored with this model")
    elif ok:
        st.caption(f"✅ greedy regenerates: *{shown}*")
    else:
        st.caption(f"❌ greedy gives: *{shown or '(nothing)'}*")


def hide_walk() -> None:
    """This run's card leaves out the model's name and greedy text (Step-Through's guess mode)."""
    st.session_state[HIDE_WALK] = True


def card_lines(model: rc.Model, hidden: bool) -> None:
    V, E, H = model.params.sizes
    ok, text = st.session_state[CHECK]
    name = "(hidden while the class guesses)" if hidden else md_literal(readable(model.corpus_name, NAME_CHARS))
    st.markdown(f"**Current model** · {name}")
    st.caption(f"{model.level} level · V = {V} · E = {E} · H = {H}")
    loss = "untrained" if model.steps_trained == 0 else f"loss {model.last_loss:.4f}"
    st.caption(f"{model.steps_trained} steps trained · {loss}")
    if not hidden:
        greedy_line(model, ok, text)
    not_kept = st.session_state.get(NOT_KEPT)
    if not_kept:
        st.caption(f"⚠️ Not kept on the server: {md_literal(readable(not_kept, TEXT_CHARS))}. A reload or a link "
                   "brings back the seed model; download the model under Train to keep it.")


def cached(slot: str, key: tuple, make: Callable):
    """``make()`` once per ``key``; only the last result is kept, in session state under ``slot``."""
    held = st.session_state.get(slot)
    if held is None or held["key"] != key:
        held = {"key": key, "value": make()}
        st.session_state[slot] = held
    return held["value"]
