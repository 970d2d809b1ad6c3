"""Draws against theory: sample one step N times (``rnn_core.draw_counts``, generation's own
inverse-CDF rule), the counts as bars beside the expected counts N q, and Pearson's chi-square
p-value said in one sentence, so students see that sampling is random but not arbitrary.

Reusable: ``render_draws(trace, vocab, key=...)`` for any ``StepTrace``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common.charts import CLEAR, LEGEND_ABOVE, MAX_BARS, axis, bar_trace, figure, frame, token_color
from ui.common.checked_input import checked_number
from ui.common.text import axis_label
from ui.common.theme import plotly_chart


def drawn_ids(counts: rc.decoding.DrawCounts) -> np.ndarray:
    """Tokens to draw, in vocabulary order: those q can give (q > 0), or the MAX_BARS most
    probable of them when there are more."""
    possible = np.flatnonzero(counts.q > 0)
    if len(possible) <= MAX_BARS:
        return possible
    return np.sort(np.argsort(-counts.q, kind="stable")[:MAX_BARS])


def draws_figure(counts: rc.decoding.DrawCounts, vocab: tuple[str, ...], t: int) -> go.Figure:
    """Observed counts (bars, token colours) beside the expected N q_t (grey outlines)."""
    ids = drawn_ids(counts)
    labels = [axis_label(vocab[v]) for v in ids]
    expected, drawn = counts.expected[ids], counts.counts[ids]
    bars = [bar_trace(f"expected N q_{t}", labels, expected, "%{x}: expected %{y:.1f}<extra></extra>", CLEAR,
                      line={"color": "#374151", "width": 2}),
            bar_trace(f"drawn ({counts.n:,} draws)", labels, drawn, "%{x}: drawn %{y:,}<extra></extra>",
                      [token_color(v) for v in ids], text=[f"{c:,}" for c in drawn], textposition="outside")]
    top = max(expected.max(), drawn.max())
    layout = {"barmode": "group", "legend": LEGEND_ABOVE, "xaxis": axis("token", type="category"),
              "yaxis": axis("count", range=[0, top * 1.15]),
              **frame(f"{counts.n:,} draws from q_{t} (seed {counts.seed}) vs the expected N q_{t}", height=360)}
    return figure({"data": bars, "layout": layout})


def p_value_sentence(test: rc.decoding.ChiSquare) -> str:
    """The chi-square result for students, in one sentence."""
    if test.p_value is None:
        return ("Only one token can be drawn here (or all but one are pooled for too few expected draws), "
                "so every draw gives it and there is nothing to test.")
    verdict = ("so differences this large happen by chance alone: the draws agree with q"
               if test.p_value >= 0.01 else
               "which honest draws from q give less than once in a hundred runs: look for a reason")
    return (f"Chi-square = {test.statistic:.2f} with {test.df} degrees of freedom, p-value = {test.p_value:.3f}: "
            f"if the draws really come from q, counts at least this far from N q turn up with probability "
            f"{test.p_value:.3f}, {verdict}.")


def render_draws(trace: rc.StepTrace, vocab: tuple[str, ...], *, key: str) -> rc.decoding.DrawCounts:
    """N (up to ``limits.DRAWS.high``) and a seed, then the counts of N draws from ``trace.q``
    beside N q, and the chi-square test in one sentence; returns the counts."""
    limits = rc.limits
    c1, c2, c3 = st.columns([1, 1, 3])
    n = checked_number(c1, limits.DRAWS, key=f"{key}_n", label="Draws N")
    seed = checked_number(c2, limits.SEED, key=f"{key}_seed", label="Random seed of the draws")
    c3.caption(f"Sample step {trace.t} N times with generation's own rule: each draw takes a fresh u in [0, 1) "
               f"and picks the token whose slice of q_{trace.t} holds it. "
               + (f"This step was not sampled ({trace.how}): the draws show what sampling from its q would give."
                  if trace.draw is None else ""))
    counts = rc.decoding.draw_counts(trace.q, int(n), seed=int(seed))
    plotly_chart(draws_figure(counts, vocab, trace.t), key=f"{key}_figure")
    st.markdown(p_value_sentence(counts.test))
    return counts
