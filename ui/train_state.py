"""The Train page's runs in session state, and installing a finished or interrupted run.

Keys: ``train_live`` (the ``Run`` while it trains), ``train_run`` (the last finished ``Run``),
``train_notice`` (how the last run went). Lives outside the page because ``app.py`` also calls
``finish_interrupted``: a visitor who leaves the Train page mid-run gets the partial model on
whichever page they open.
"""

import streamlit as st

import rnn_core as rc
from ui import train_view as tv
from ui.text import md_literal
from ui.state import model_version, set_model

LIVE, RUN, NOTICE = "train_live", "train_run", "train_notice"
ss = st.session_state


def install(run: tv.Run, model: rc.Model | None, status: str, message: str) -> None:
    """End a run: make its model the visitor's (unless it diverged) and say what happened."""
    ss.pop(LIVE, None)
    ss["train_runs"] = ss.get("train_runs", 0) + 1
    if status == "diverged":
        ss[NOTICE] = ("warning", f"{md_literal(message)} Your previous model is still the current one.")
    elif model is None:
        ss[NOTICE] = ("info", "Training was stopped before the first update; your model is unchanged.")
    else:
        set_model(model)
        run.version = model_version()
        done = f"Trained {len(run.losses)} steps" if status == "done" else message.capitalize()
        ss[NOTICE] = ("success", f"{done}. The new model is now the current one (see the sidebar).")
    ss[RUN] = run


def finish_interrupted() -> None:
    """A run that a click interrupted (the Stop button, a widget, or leaving the page for
    another) keeps its progress; called on every page so the sidebar shows it at once."""
    if LIVE not in ss:
        return
    run = ss[LIVE]
    model = run.partial_model()
    msg = f"stopped at step {len(run.losses)} of {run.total}; kept what was learned"
    run.finish(model, "stopped", msg)
    install(run, model, "stopped", msg)
