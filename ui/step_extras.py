"""Step-Through's closer looks at the step on screen, below the what-if: the decoding rules side by
side (``ui.rule_panels``), N draws against theory (``ui.draws_view``), what the network remembers
(``ui.influence_view``) and an edit of its memory h_{t-1} (``ui.step_intervene``): the views
Generate has for an inspected step, here for the current step of the walk.

One view at a time, chosen in a segmented control that starts with none: only the open view is
computed, so a plain Next pays for none of them. The choice is kept while stepping (each Next
redraws the open view for the new step). In guess mode a view waits until the step's pick is
revealed: each shows the distribution the pick came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import rnn_core as rc
from ui import draws_view, influence_view, rule_panels
from ui.generate_state import cached
from ui.step_intervene import show_intervention

VIEWS = ("Decoding rules", "Draws", "What it remembers", "Intervene")
VIEW = "step_look"  # the segmented control
PANEL, DRAWS, INFLUENCE, EDIT = "step_look_panel", "step_look_draws", "step_look_influence", "step_look_edit"
INFLUENCE_RESULT = "step_look_influence_result"  # the last influence computed, keyed to its path and step


@dataclass(frozen=True)
class Look:
    """The step a view looks at."""

    model: rc.Model  # with the weights the walk was made with
    traces: list[rc.StepTrace]  # the whole walk
    t: int  # the step on screen, 1-based
    rule: rc.Rule  # the walk's picking rule
    max_len: int  # the walk's length limit
    path_key: tuple  # identifies the walk (model version, settings, forced tokens), for caches

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


SHOW = dict(zip(VIEWS, (rules, draws, remembers, intervene)))


def closer_look(look: Look, revealed: bool) -> None:
    """The segmented control, then the chosen view (none at first)."""
    view = st.segmented_control("Look closer at this step", VIEWS, key=VIEW, persist_state="session",
                                help="Each view is computed only while it is open.")
    if view is None:
        return
    if not revealed:
        st.info("Reveal this step's pick first (**Next**): this view shows the distribution it comes from.")
        return
    SHOW[view](look)
    st.divider()
