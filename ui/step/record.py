"""The record of the walk on screen (``ui.step.describe``), built from the session's settings and
kept in session state: a rerun that changes nothing about the walk (a view below the step, the
sidebar) reuses it, so the step area receives the very same data and is not redrawn.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import rnn_core as rc
from ui.common.session import cached
from ui.common.text import slug
from ui.common.theme import is_presenter
from ui.step import keys, state
from ui.step.describe import WalkView, about_text, describe_walk


def walk_view(votes: dict[int, dict]) -> WalkView:
    """How the walk is shown, from the settings, guess mode, the presenter theme and a room's
    ``votes`` at revealed steps."""
    s, ss = state.settings(), st.session_state
    title = "Step-Through" if s.weights is None else f"Trained {s.weights:,} step{'s' * (s.weights != 1)}"
    return WalkView(rule=s.rule, max_len=s.max_len, decimals=ss.get(keys.DECIMALS, 3), title=title,
                    guess=s.guess, revealed=ss[keys.REVEALED], guesses=dict(ss[keys.GUESSES]), big=is_presenter(),
                    animate=ss.get(keys.ANIMATE, True), speed=float(ss.get(keys.SPEED, 1.0)), votes=votes)


def walk_id(version: int) -> str:
    """The walk's identity (model version, settings, forced tokens): the browser keeps the step
    on screen while it stays the same."""
    return hashlib.sha256(repr(state.path_key(version)).encode()).hexdigest()[:16]


def record(model: rc.Model, version: int, traces: list[rc.StepTrace], votes: dict[int, dict]) -> dict:
    """The record the step area draws, rebuilt only when something it shows changed."""
    view = walk_view(votes)
    key = (state.path_key(version), view, st.session_state[keys.GOTO])
    return cached(keys.RECORD, key, lambda: build(model, version, traces, view))


def build(model: rc.Model, version: int, traces: list[rc.StepTrace], view: WalkView) -> dict:
    """The walk described (``ui.step.describe``), with what the page adds: the walk's identity,
    where it opens, the model's name, the offline file's name, the line saying where it came from."""
    forks, s = state.forks(), state.settings()
    original = state.path(model, version, forced={}) if forks else traces
    seq, step = st.session_state[keys.GOTO]
    return describe_walk(model, traces, view, forks, original) | {
        "walk": walk_id(version), "goto": {"seq": seq, "step": step}, "name": model.corpus_name,
        "file": f"walk-{slug(model.corpus_name) or 'model'}.html",
        "about": about_text(model, s.word, s.seed, view, forks)}
