"""Step-Through: the seed's numerical walk-through, one autoregressive step per screen.

The step area (controls, the unrolled loop, the equations with their numbers, the next-token
distribution, the hidden state, the pick) steps in the browser: the whole walk is sent once
(``ui.step.record``, ``ui.step.walk``) and the server hears only of what changes it: a setting, a
fork, a reveal in guess mode. Below it: a closer look at the step on screen, on request. State
and callbacks: ui/step/state.py; the settings are in the URL.
"""

from functools import partial

import streamlit as st

from ui.common.session import hide_walk, model_version, start_page
from ui.common.text import md_literal
from ui.common.theme import is_presenter
from ui.step import keys, state
from ui.step import room as step_room
from ui.step.controls import gear
from ui.step.keys import AREA
from ui.step.layout import page_css
from ui.step.looks import closer_look
from ui.step.record import record
from ui.step.walk import show_walk

model = start_page()
version = model_version()
page_css(presenter=is_presenter())
for kind, message in state.start(model, version):
    getattr(st, kind)(md_literal(message))
for message in filter(None, (state.apply_widgets(model), state.take_notice())):
    st.error(md_literal(message))
traces = state.path(model, version)
state.write_query(model.vocab.tokens)
if state.settings().guess:
    hide_walk()  # the sidebar's card names the model's sentence and what greedy writes
step_room.follow(model, traces, state.shown_step(len(traces)))  # a reveal reaches the room before the record
with st.container(key=AREA):
    gear(model)
    step_room.count()
    show_walk(record(model, version, traces, step_room.votes(state.revealed(len(traces)))), key=keys.WALK,
              on_fork=partial(state.on_fork, model, version), on_unfork=partial(state.on_unfork, model, version),
              on_reveal=partial(state.on_reveal, model, version))
st.fragment(step_room.section)(model, version)
st.fragment(closer_look)(model, version)
with st.expander("Shapes of the parameters"):
    V, E, H = model.params.sizes
    st.latex(rf"\mathrm{{emb}} \in \mathbb{{R}}^{{{V}\times{E}}},\ W_x \in \mathbb{{R}}^{{{H}\times{E}}},\ "
             rf"W_h \in \mathbb{{R}}^{{{H}\times{H}}},\ b_h \in \mathbb{{R}}^{{{H}}},\ "
             rf"W_y \in \mathbb{{R}}^{{{V}\times{H}}},\ b_y \in \mathbb{{R}}^{{{V}}}")
    st.markdown(f"The source document writes $W_y$ as $3\\times3$. It turns $h_t$ ($H = {H}$ numbers) into one score "
                f"per vocabulary token, so here it is $V \\times H$ = **{V} × {H}**.")
