"""Step-Through's settings, in a popover beside the step area's own controls (which run in the
browser: ``ui.step.walk``). Out of the way and one click away; outside the step area, so stepping
never redraws them. The callbacks are in ``ui.step.state``.
"""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.common.checked_input import checked_number
from ui.common.knobs import knob_slider, top_k_box
from ui.common.text import show_token
from ui.common.time_travel import choose_weights, kept_steps, why_no_slider
from ui.step import keys, state
from ui.step.keys import GEAR
from ui.step.settings import RULES


def settings_box(model: rc.Model) -> None:
    """Every setting. Each widget's value is the canonical setting (not one written into session
    state: a popover's widgets mount when it opens)."""
    w, s = keys.WIDGETS, state.settings()
    word = st.session_state.get(w["word"], s.word)
    words = [t for t in model.vocab.tokens if t != rc.EOS]
    words = words if word in words and s.word in words else list(dict.fromkeys([s.word, word, *words]))
    left, right = st.columns(2)
    left.selectbox("First word", words, index=words.index(s.word), key=w["word"], accept_new_options=True,
                   format_func=show_token, help="A word of the vocabulary, or type one (or several) and press Enter.")
    rule = right.radio("Picking rule", RULES, index=RULES.index(s.rule.strategy), key=w["rule.strategy"],
                       horizontal=True, help="sample: draw the next word from y_t (the source document's Step 4). "
                                             "greedy: the most probable.")
    off, V, limits = rule != "sample", len(model.vocab), rc.limits
    left, right = st.columns(2)
    knob_slider(left, limits.TEMPERATURE, key=w["rule.temperature"], default=s.rule.temperature, disabled=off)
    weights_box(right, model, s.weights)
    # the same knobs as Generate's: ranges, defaults and steps from rnn_core.limits; a number box
    # refuses a value out of range with rnn_core's message and keeps the last one
    left, right = st.columns(2)
    top_k_box(left, V, key=w["rule.top_k"], default=s.rule.top_k, disabled=off)
    knob_slider(right, limits.TOP_P, key=w["rule.top_p"], default=s.rule.top_p, disabled=off)
    left, right = st.columns(2)
    checked_number(left, limits.SEED, key=w["seed"], label="Random seed", default=s.seed, disabled=off,
                   help=f"Seeds the draws u_t; {limits.SEED.range_text()}.")
    checked_number(right, limits.MAX_TOKENS, key=w["max_len"], label="Max length", default=s.max_len)
    left, right = st.columns(2)
    left.select_slider("Decimals", list(range(1, 7)), value=3, key=keys.DECIMALS, persist_state="session")
    right.select_slider("Autoplay: seconds per step", state.SPEEDS, value=1.0, key=keys.SPEED,
                        persist_state="session")
    left, right = st.columns(2, vertical_alignment="center")
    left.toggle("Guess first", value=s.guess, key=w["guess"],
                help="The class guesses each pick before Next reveals it.")
    right.toggle("Animate the pick", value=True, key=keys.ANIMATE, persist_state="session",
                 help="On Next the picked token travels from y_t into x_t+1 (never when the system asks for "
                      "reduced motion).")
    st.button("↺ Start again", on_click=state.reset, key=keys.RESET, width="stretch",
              help="Back to step 1 of the path these settings give: no forced tokens, no guesses.")


def weights_box(where, model: rc.Model, weights: int | None) -> None:
    """Training time-travel, in ``where``: the walk replayed with the weights after training step
    k (the model's own at first); a model that kept no earlier weights says so in one line."""
    steps = kept_steps(model)
    if len(steps) < 2:
        where.caption("Training time-travel: no earlier weights to replay.", help=why_no_slider(model))
        return
    choose_weights(where, steps, key=keys.WIDGETS["weights"], value=steps[-1] if weights is None else weights,
                   replays="walk (same prompt, random numbers u_t and forced tokens)")


def gear(model: rc.Model) -> None:
    """The ⚙ Settings popover, in its own container at the step area's top right."""
    with st.container(key=GEAR):
        with st.popover("⚙ Settings", width="stretch"):
            settings_box(model)
