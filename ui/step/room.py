"""Step-Through's room: in guess mode the class votes the next token from their phones.

The presenter opens a room below the step area (``ui.room.panel``: its code, QR code and link).
While it is open the browser sends the step on screen (``ui.step.walk.report_step``), so the
room follows the walk: the phones show the tokens so far and vote on the step waiting for its
reveal; a reveal closes the vote and records the pick. After each reveal the class's votes
travel with the walk's record (``votes``), drawn beside y_t by the step area; before it, nothing
about them but their number.
"""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.common.text import show_token
from ui.room import panel as room_panel
from ui.step import keys, state
from ui.step.keys import COUNTED, VOTES
from ui.step.walk import report_step


def is_open() -> bool:
    return state.settings().guess and room_panel.current_room() is not None


def follow(model: rc.Model, traces: list[rc.StepTrace], step: int) -> None:
    """Put ``step`` of the walk on the room's screens: its tokens so far and, once revealed, the
    pick with the model's probability of it (for the class's score)."""
    if not is_open():
        return
    step = min(step, len(traces))
    revealed = step <= state.revealed(len(traces))
    tr = traces[step - 1]
    room_panel.follow(step, [show_token(t.input) for t in traces[:step]], [show_token(t) for t in model.vocab.tokens],
              revealed, tr.token_id if revealed else None, tr.p_token if revealed else None)


def votes(n_revealed: int) -> dict[int, dict]:
    """The class's votes at each revealed step of the open room: {step: ``room_panel.reveal_summary``}."""
    if not is_open():
        return {}
    found = {t: room_panel.reveal_summary(t) for t in range(1, n_revealed + 1)}
    return {t: summary for t, summary in found.items() if summary}


def count() -> None:
    """How many have voted on the step waiting for its reveal (a number: nothing else before it)."""
    room = room_panel.current_room()
    st.session_state[COUNTED] = room.code if is_open() else None
    if is_open():
        with st.container(key=VOTES):
            room_panel.vote_count(room.code)


def section(model: rc.Model, version: int) -> None:
    """Below the step area in guess mode: the room's controls and, while it is open, the step on
    screen followed (a fragment: each step the browser sends reruns it alone)."""
    if not state.settings().guess:
        return
    st.subheader("A room: the class votes from their phones", anchor=False)
    room = room_panel.room_panel({"title": f"{model.level} model, V = {len(model.vocab)}", "level": model.level})
    if (room and room.code) != st.session_state.get(COUNTED):  # opened or closed here: the count's
        st.rerun()  # place is above the step area, outside this fragment
    if room is None:
        return
    traces = state.path(model, version)
    follow(model, traces, report_step(state.shown_step(len(traces)), key=keys.REPORTER + "_room",
                                      on_step=state.on_shown))
