"""Step-Through's closer looks at the step on screen, below the step area: the decoding rules side
by side (``ui.views.rule_panels``), N draws against theory (``ui.views.draws_view``), what the network
remembers (``ui.views.influence_view``), an edit of its memory h_{t-1} (``ui.step.intervene``), the walk
beside teacher forcing (``ui.step.teacher``) and the path of h (``ui.common.charts``).

One view at a time, chosen in a segmented control that starts with none: only the open view is
computed, and only while one is open does the browser send the step on screen
(``ui.step.walk.report_step``), so plain stepping costs the server nothing. Each view is a
fragment: a step sent reruns it alone. In guess mode a view waits until the step's pick is
revealed: each shows the distribution the pick came from or the picks so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import rnn_core as rc
from ui.common import charts
from ui.common.session import cached
from ui.common.text import md_token
from ui.common.theme import plotly_chart
from ui.step import keys, state, teacher
from ui.step.intervene import show_intervention
from ui.step.keys import CAMERA, DRAWS, EDIT, INFLUENCE, INFLUENCE_RESULT, LOOK, PANEL
from ui.step.walk import report_step
from ui.views import draws_view, influence_view, rule_panels

VIEWS = ("Decoding rules", "Draws", "What it remembers", "Intervene", "Teacher forcing", "Path of h")


@dataclass(frozen=True)
class Look:
    """The step a view looks at."""

    model: rc.Model  # with the weights the walk was made with
    traces: list[rc.StepTrace]  # the whole walk
    t: int  # the step on screen, 1-based
    rule: rc.Rule  # the walk's picking rule
    max_len: int  # the walk's length limit
    path_key: tuple  # identifies the walk (model version, settings, forced tokens), for caches
    decimals: int  # as the step area shows its numbers

    @property
    def trace(self) -> rc.StepTrace:
        return self.traces[self.t - 1]


def rules(look: Look) -> None:
    """o_t through every decoding rule, the knobs starting from the walk's own rule."""
    knobs = rule_panels.panel_knobs(look.rule, len(look.model.vocab), key=PANEL)
    context = [tr.input_id for tr in look.traces[:look.t]]  # every token fed in up to step t
    rule_panels.render_rule_panels(look.trace, look.model.vocab.tokens, knobs, key=PANEL, context=context)


def draws(look: Look) -> None:
    draws_view.render_draws(look.trace, look.model.vocab.tokens, key=DRAWS)


def remembers(look: Look) -> None:
    """The earlier tokens by their influence on this step's prediction, and the t x s matrix of
    the walk so far (steps 1..t: no later token of the walk is shown)."""
    wrt = influence_view.choose_wrt(key=f"{INFLUENCE}_wrt")
    inf = cached(INFLUENCE_RESULT, (look.path_key, look.t, wrt),
                 lambda: influence_view.influence_of(look.model, look.traces[:look.t], wrt))
    influence_view.show_influence(inf, look.t, key=INFLUENCE)


def intervene(look: Look) -> None:
    show_intervention(look.model, look.traces, look.t, max_len=look.max_len, key=EDIT)


def teacher_forcing(look: Look) -> None:
    """Steps 1..t of the walk beside the training text teacher forcing would feed."""
    traces = look.traces[:look.t]
    ref = teacher.reference(look.model, traces[0].input)
    if ref is None:
        why = "this model stores no training text" if look.model.corpus() is None else \
            f"the training text never contains “{md_token(traces[0].input)}”"
        st.info(f"No training sentence to compare with: {why}.")
        return
    st.caption("In training (teacher forcing) the model is always fed the true previous token; generating, it is "
               "fed its own picks. Once a pick leaves the training text, the path never comes back onto it. "
               "p(true next) is y_t of the training text's next token at this step of the generated path.")
    rows = teacher.display_rows(teacher.teacher_rows(look.model, traces, ref), look.decimals)
    st.markdown(teacher.markdown_table(rows))


def hidden_path(look: Look) -> None:
    """H = 3: the path of h in the cube (the camera kept while stepping); else h over the steps."""
    if len(look.trace.h) != 3:
        plotly_chart(charts.hidden_heatmap(look.traces, look.t), 300, key=f"{LOOK}_heat")
        return
    camera = st.selectbox("3-D view", list(charts.CAMERAS), key=CAMERA,
                          help="Kept while you step (a rotated view resets when the chart redraws).")
    plotly_chart(charts.trajectory_figure(look.traces, look.t, camera=camera), 420, key=f"{LOOK}_traj")


SHOW = dict(zip(VIEWS, (rules, draws, remembers, intervene, teacher_forcing, hidden_path)))


def closer_look(model: rc.Model, version: int) -> None:
    """The segmented control, then the chosen view (none at first) for the step on screen."""
    view = st.segmented_control("Look closer at this step", VIEWS, key=LOOK, persist_state="session",
                                help="Each view is computed only while it is open; it follows the step on screen.")
    if view is None:
        return
    traces, s = state.path(model, version), state.settings()
    t = min(report_step(state.shown_step(len(traces)), key=keys.REPORTER, on_step=state.on_shown), len(traces))
    if t > state.revealed(len(traces)):
        st.info("Reveal this step's pick first (**Next**): this view shows the distribution it comes from.")
        return
    SHOW[view](Look(model=state.weighted(model), traces=traces, t=t, rule=s.rule, max_len=s.max_len,
                    path_key=state.path_key(version), decimals=st.session_state.get(keys.DECIMALS, 3)))
