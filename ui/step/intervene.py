"""Step-Through's intervention: edit the memory h_{t-1} at the step on screen (zero or clamp one
hidden unit, or reset it all to 0) and see y_t recomputed beside y_t as walked, a what-if like
the token fork. The numbers are ``rnn_core.intervene``'s and ``rnn_core.continue_greedy``'s.

The edit is a look, not a fork: the walk on screen stays as it was.
"""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

import rnn_core as rc
from ui.common.charts import HOW, distribution_figure, sub, unit_label
from ui.common.checked_input import checked_number
from ui.common.text import axis_label, md_token
from ui.common.theme import plotly_chart

KINDS = {"zero": "zero one unit", "clamp": "clamp one unit", "reset": "reset all of it to 0"}
# the clamp box's range, default and step; rnn_core.HiddenEdit is what accepts or refuses a value
CLAMP = rc.Limit("clamp", "a clamped unit", -1.0, 1.0, 0.5, 0.1, "the value the unit is set to (tanh's range)")


def edit_box(tr: rc.StepTrace, *, key: str) -> rc.analysis.HiddenEdit:
    """The edit of h_{t-1} chosen in three widgets: what to do, which unit (with its value now),
    the clamped value (a value outside [-1, 1] is refused with rnn_core's message, the last
    accepted one kept)."""
    t, H = tr.t, len(tr.h_prev)
    c1, c2, c3 = st.columns([2.3, 1.5, 1.2])
    kind = c1.radio(f"Edit the memory h_{t - 1} that step {t} reads", list(KINDS), format_func=KINDS.get,
                    horizontal=True, key=f"{key}_kind")
    unit = c2.selectbox("Hidden unit", range(H), key=f"{key}_unit", disabled=kind == "reset",
                        format_func=lambda i: f"{unit_label(i)} (now {tr.h_prev[i]:.3f})")
    value = checked_number(c3, CLAMP, key=f"{key}_value", label="Clamp it to", disabled=kind != "clamp",
                           check=lambda v: rc.analysis.HiddenEdit.clamp(0, v))
    if kind == "reset":
        return rc.analysis.HiddenEdit.reset()
    return rc.analysis.HiddenEdit.zero(int(unit)) if kind == "zero" else rc.analysis.HiddenEdit.clamp(int(unit),
                                                                                                      float(value))


def top_change(result: rc.analysis.Intervention, vocab: tuple[str, ...]) -> str:
    """The edit's effect on the most probable next token, in one Markdown sentence."""
    y0, y1 = result.original.probs, result.changed.probs
    before, after = int(np.argmax(y0)), int(np.argmax(y1))
    edit, t = f"`{result.edit.describe(result.t)}`", result.t
    if before == after:
        return (f"With {edit}, the most probable next token stays “{md_token(vocab[before])}”: "
                f"y_{t} gives it {y0[before]:.3f} as walked, {y1[before]:.3f} after the edit.")
    return (f"With {edit}, the most probable next token changes from “{md_token(vocab[before])}” "
            f"({y0[before]:.3f} → {y1[before]:.3f}) to “{md_token(vocab[after])}” "
            f"({y0[after]:.3f} → {y1[after]:.3f}).")


def side_by_side(result: rc.analysis.Intervention, vocab: tuple[str, ...], *, key: str) -> None:
    """y_t as walked beside y_t from the edited h_{t-1}: the page's own distribution chart, twice."""
    t, before, after = result.t, result.original, result.changed
    left, right = st.columns(2)
    edited = re.sub(r"h_(\d+)", lambda m: sub("h", m.group(1)), result.edit.describe(t))  # typeset, as the titles
    figures = (distribution_figure(before, vocab, title=f"as walked: {sub('y', t)} · chose "
                                                        f"“{axis_label(before.token)}” ({HOW[before.how]})"),
               distribution_figure(after, vocab, title=f"with {edited}: {sub('y', t)} · picks "
                                                       f"“{axis_label(after.token)}” ({HOW[after.how]})"))
    for fig, where, side in zip(figures, (left, right), ("before", "after")):
        plotly_chart(fig, 280, where=where, key=f"{key}_{side}", config={"displayModeBar": False})


def continuation(model: rc.Model, traces: list[rc.StepTrace], t: int, edit: rc.analysis.HiddenEdit,
                 max_len: int) -> str:
    """The walk up to step t - 1, then on from the edited step t, each next token the most
    probable (``rnn_core.continue_greedy``), as one Markdown line; the walk's own later steps
    are not shown (no spoiler)."""
    went = rc.analysis.continue_greedy(model, traces, t, edit, max_tokens=max_len)
    so_far = " ".join(md_token(tok) for tok in [traces[0].input, *(tr.token for tr in traces[:t - 1])])
    after = " ".join(md_token(tr.token) for tr in went[t - 1:])
    return f"Going on from the edit, greedily: *{so_far}* → **{after}**"


def show_intervention(model: rc.Model, traces: list[rc.StepTrace], t: int, *, max_len: int, key: str) -> None:
    """The edit widgets, the two y_t side by side, the sentence, and on request the walk going on
    from the edit. ``model`` carries the weights the walk was made with."""
    vocab = model.vocab.tokens
    edit = edit_box(traces[t - 1], key=key)
    result = rc.analysis.intervene(model, traces, t, edit)
    side_by_side(result, vocab, key=key)
    st.markdown(top_change(result, vocab))
    st.caption(f"Only h_{t - 1} changes: x_{t} and the weights stay, so the new y_{t} shows what this memory does to "
               f"the prediction. The edited step picks its most probable token (the walk's random numbers belong to "
               f"its own rule). The walk above is not changed.")
    if st.toggle("Go on from the edit", key=f"{key}_go_on",
                 help="The walk up to here, then the edited step and greedy steps after it, to </s> or the length "
                      "limit."):
        st.markdown(continuation(model, traces, t, edit, max_len))
