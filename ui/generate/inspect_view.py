"""Inside one sample: choosing the inspected step, its y_t and q_t, h_{t-1} -> h_t, the temperature
explorer, every step at once as heatmaps, and the downloads.

Numbers come from the sample's ``StepTrace``s; the only reshaping is ``rnn_core`` on logits a
trace already holds.
"""

from __future__ import annotations

from functools import partial
from typing import Sequence

import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common.charts import (
    H_COLOR,
    H_PREV_COLOR,
    HOW,
    LEGEND_ABOVE,
    MAX_BARS,
    axis,
    axis_label,
    bar_trace,
    distribution_figure,
    distributions_heatmap,
    figure,
    frame,
    hidden_figure,
    hidden_heatmap,
    sub,
)
from ui.common.text import md_token
from ui.common.theme import plotly_chart
from ui.generate import export
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

MAX_HEATMAP_CELLS = 200_000  # steps x V drawn at most: a larger heatmap is too heavy to send and unreadable
MAX_DOWNLOAD_CELLS = 500_000  # steps x V of a trace built for download (its CSV: about 40 bytes a cell)


def choose_step(paths: Sequence[Sequence[rc.decoding.StepSummary]], limit: int) -> tuple[int, int]:
    """The inspected (sample, step), both 1-based: a slider each, kept in the session across views;
    steps up to ``limit`` (those whose full numbers the session keeps, ``generate_state.inspectable_steps``)."""
    c1, c2 = st.columns([1, 3])
    i = 1
    if len(paths) > 1:
        generate_state.set_in_range(generate_keys.SAMPLE, 1, len(paths), 1)
        i = c1.slider("Sample", 1, len(paths), key=generate_keys.SAMPLE, persist_state="session",
                      help="Its number in the sample list.")
    steps = min(len(paths[i - 1]), limit)
    if steps < len(paths[i - 1]):
        c2.caption(f"Its first {limit:,} of {len(paths[i - 1]):,} steps can be looked at closely: over a "
                   f"vocabulary this large, the page keeps the numbers of {limit:,} steps.")
    if steps == 1:
        c2.caption("This sample has a single step.")
        return i, 1
    generate_state.set_in_range(generate_keys.STEP, 1, steps, 1)
    return i, c2.slider("Step", 1, steps, key=generate_keys.STEP, persist_state="session",
                        help="Each step feeds one token in and gives y_t over the next.")


def step_line(trace: rc.StepTrace, sample: int) -> str:
    """'Sample #2, step 3: fed “deep”, chose “learning” (sampled with u = 0.412) · y = 0.87 · q = 0.91'."""
    u = f" with u = {trace.draw:.3f}" if trace.draw is not None else ""
    return (f"**Sample #{sample}, step {trace.t}**: fed “{md_token(trace.input)}”, chose "
            f"“{md_token(trace.token)}” ({HOW[trace.how]}{u}) · y = {trace.p_token:.4f} · "
            f"q = {trace.q_token:.4f}")


def temperature_figure(trace: rc.StepTrace, vocab: tuple[str, ...], T: float) -> go.Figure:
    """y_t (T = 1) beside softmax(o_t / T) for the same step's logits: bars per token."""
    ids = trace.top_ids(MAX_BARS)
    q = rc.decoding.sampling_distribution(trace.logits, rc.Rule("sample", temperature=T)).q
    labels = [axis_label(vocab[v]) for v in ids]
    bars = [bar_trace("T = 1 (y_t)", labels, trace.probs[ids], "%{x}: %{y:.4f}<extra>T = 1</extra>", H_PREV_COLOR),
            bar_trace(f"T = {T:g}", labels, q[ids], "%{x}: %{y:.4f}<extra>T = " + f"{T:g}" + "</extra>", H_COLOR,
                      text=[f"{p:.3f}" for p in q[ids]], textposition="outside")]
    layout = {"barmode": "group", "legend": LEGEND_ABOVE, "xaxis": axis("next token", type="category"),
              "yaxis": axis("probability", range=[0, 1.12]),
              **frame(f"step {trace.t}: softmax({sub('o', trace.t)} / T) at T = {T:g} vs T = 1", height=340)}
    return figure({"data": bars, "layout": layout})


def show_step(trace: rc.StepTrace, vocab: tuple[str, ...], rule: rc.Rule) -> None:
    """y_t (and q_t), h_{t-1} -> h_t, and the temperature explorer starting at the run's T."""
    c1, c2 = st.columns(2)
    plotly_chart(distribution_figure(trace, vocab), where=c1, key=f"{generate_keys.INSPECT_PREFIX}_dist")
    if trace.reshaped:
        c1.caption(f"q_{trace.t} is what u_{trace.t} was drawn from: o_{trace.t} through {rule.describe()}, "
                   f"{len(trace.kept):,} of {len(vocab):,} tokens kept and renormalised. Grey outlines: tokens "
                   "it cut.")
    plotly_chart(hidden_figure(trace), where=c2, key=f"{generate_keys.INSPECT_PREFIX}_hidden")
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    c1.markdown("**Temperature explorer**")
    c1.caption(f"The logits o_{trace.t} of this step, divided by T before the softmax: T < 1 sharpens "
               "the distribution towards the most probable token, T > 1 flattens it. It starts at the run's T.")
    limit = rc.limits.TEMPERATURE
    start = 1.0 if rule.is_greedy else rule.temperature
    T = c1.slider("T", float(limit.low), float(limit.high), float(start), float(limit.step),
                  key=generate_keys.EXPLORE_T.format(T=start))
    plotly_chart(temperature_figure(trace, vocab, T), where=c2, key=f"{generate_keys.INSPECT_PREFIX}_temperature")


def show_all_steps(traces: list[rc.StepTrace], vocab: tuple[str, ...]) -> None:
    """y_t and h_t at every step as heatmaps (y_t only while steps x V stays drawable)."""
    c1, c2 = st.columns([3, 2])
    if len(traces) * len(vocab) <= MAX_HEATMAP_CELLS:
        plotly_chart(distributions_heatmap(traces, vocab), where=c1,
                        key=f"{generate_keys.INSPECT_PREFIX}_dist_heatmap")
    else:
        c1.caption(f"y_t at every step is not drawn: {len(traces):,} steps x {len(vocab):,} tokens is more than "
                   f"{MAX_HEATMAP_CELLS:,} cells. Download the trace for every number.")
    plotly_chart(hidden_heatmap(traces), where=c2, key=f"{generate_keys.INSPECT_PREFIX}_hidden_heatmap")


def show_downloads(model: rc.Model, traces: list[rc.StepTrace], s: generate_state.Settings, sample: int) -> None:
    """CSV and JSON of the sample, built only when clicked (callables), named after the run; none
    past MAX_DOWNLOAD_CELLS (a file the server would build in memory), the CLI's stream instead."""
    settings = export.settings_dict(model, s, sample)
    vocab = model.vocab.tokens
    if len(traces) * len(vocab) > MAX_DOWNLOAD_CELLS:
        st.caption(f"No download of this trace here: {len(traces):,} steps x {len(vocab):,} tokens is more than "
                   f"{MAX_DOWNLOAD_CELLS:,} numbers per column. The command line writes it one step at a time: "
                   "download the model on the Train page, then run `python -m rnn_core generate MODEL.npz "
                   "--prompt ... --json`.")
        return
    c1, c2, _ = st.columns([1, 1, 2])
    prefix = generate_keys.INSPECT_PREFIX
    c1.download_button("Download trace (CSV)", partial(export.trace_csv, traces, vocab, settings),
                       export.file_name(settings, "csv"), "text/csv", key=f"{prefix}_csv", on_click="ignore")
    c2.download_button("Download trace (JSON)", partial(export.trace_json, model, traces, settings),
                       export.file_name(settings, "json"), "application/json", key=f"{prefix}_json",
                       on_click="ignore")
