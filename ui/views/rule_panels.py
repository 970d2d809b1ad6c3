"""Rules side by side: one step's logits drawn through greedy, temperature, top-k, top-p, min-p
and typical-p (``rnn_core.rule_panels``), each panel with its kept set, the renormalised q, its
entropy H and effective vocabulary exp(H).

Reusable on any page: ``panel_knobs`` draws the knob widgets and returns them as a ``Rule``;
``render_rule_panels(trace, vocab, knobs, key=...)`` draws the panels for one ``StepTrace``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common.charts import CLEAR, GREY, axis, bar_trace, figure, frame, rgba, subplot, token_color
from ui.common.knobs import knob_slider, top_k_box
from ui.common.text import axis_label, show_token
from ui.common.theme import plotly_chart

PANEL_BARS = 20  # tokens per panel for a large vocabulary: the most probable after the temperature
LISTED = 12  # kept tokens written out in the table, at most
GRID = (2, 3)  # rows and columns of panels
GAPS = (0.05, 0.24)  # between columns and between rows, as fractions of the figure (rows hold 2-line titles)
# A filter that is off shows nothing new: the panels start with a value that cuts something.
DEMO = {"top_p": 0.9, "min_p": 0.1, "typical_p": 0.9}


def panel_ids(panels: Sequence[rc.decoding.Panel]) -> np.ndarray:
    """Token ids every panel draws, in vocabulary order: all of them for a small vocabulary,
    else the PANEL_BARS most probable under the temperature panel's q."""
    q = panels[1].q
    if len(q) <= PANEL_BARS:
        return np.arange(len(q))
    return np.sort(np.argsort(-q, kind="stable")[:PANEL_BARS])


def panel_title(panel: rc.decoding.Panel, V: int) -> str:
    """'<b>top-p</b> · p = 0.9<br>keeps 3 of 5 · H = 0.94 nats · exp(H) = 2.56' (no token in it)."""
    return (f"<b>{panel.name}</b> · {panel.setting}<br>keeps {len(panel.kept):,} of {V:,} · "
            f"H = {panel.entropy:.2f} nats · exp(H) = {panel.effective_vocab:.2f}")


def panels_figure(panels: Sequence[rc.decoding.Panel], vocab: tuple[str, ...]) -> go.Figure:
    """Six bar charts in a 2 x 3 grid, one per panel: q of the kept tokens in their colours, the
    tokens the rule cuts as grey outlines at their tempered probability (what they would have had)."""
    ids = panel_ids(panels)
    labels = [axis_label(vocab[v]) for v in ids]
    before = panels[1].q[ids]  # softmax(o / T): what every filter starts from
    colors = [rgba(token_color(v), 0.85) for v in ids]
    data = []
    for k, panel in enumerate(panels, start=1):
        kept, q = np.isin(ids, panel.kept), panel.q[ids]
        axes = {"xaxis": f"x{subplot(k)}", "yaxis": f"y{subplot(k)}"}
        data.append(bar_trace("cut", labels, np.where(kept, 0, before),
                              "%{x}: cut (had %{y:.4f})<extra>" + panel.name + "</extra>", CLEAR,
                              line={"color": GREY, "width": 1.5}, **axes))
        data.append(bar_trace("q (kept)", labels, q, "%{x}: q = %{y:.4f}<extra>" + panel.name + "</extra>", colors,
                              text=[f"{p:.2f}" if c else "" for p, c in zip(q, kept)] if len(ids) <= 12 else None,
                              textposition="outside", **axes))
    layout = {**grid_layout([panel_title(p, len(vocab)) for p in panels]), "barmode": "overlay", "showlegend": False,
              **frame("", lines=2, height=500)}
    return figure({"data": data, "layout": layout})


def _spans(n: int, gap: float) -> list[list[float]]:
    """n equal [start, end] slices of [0, 1], ``gap`` between neighbours, first at 0 (make_subplots' sums)."""
    size = (1 - gap * (n - 1)) / n
    return [[k * (size + gap), k * (size + gap) + size] for k in range(n)]


def grid_layout(titles: list[str]) -> dict:
    """The axes of GRID[0] x GRID[1] charts, row by row from the top, and their ``titles`` above them
    (what make_subplots builds, written out): every x axis the tokens, one y axis per row (q, 0 to
    1.15) titled and numbered on the left and matched by the others."""
    rows, cols = GRID
    xs, ys = _spans(cols, GAPS[0]), _spans(rows, GAPS[1])[::-1]
    layout, notes = {}, []
    for k, title in enumerate(titles, start=1):
        row, col = divmod(k - 1, cols)
        n = subplot(k)
        layout[f"xaxis{n}"] = {"anchor": f"y{n}", "domain": xs[col], "type": "category",
                               "title": {"text": "next token", "standoff": 4}}
        y = axis("q (renormalised)") if col == 0 else {"matches": f"y{subplot(k - col)}", "showticklabels": False}
        layout[f"yaxis{n}"] = {"anchor": f"x{n}", "domain": ys[row], "range": [0, 1.15], **y}
        notes.append({"text": title, "x": sum(xs[col]) / 2, "y": ys[row][1], "xref": "paper", "yref": "paper",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 14, "color": "#111827"}})
    return {**layout, "annotations": notes}


def panels_table(panels: Sequence[rc.decoding.Panel], vocab: tuple[str, ...]) -> pd.DataFrame:
    """One row per panel: the rule, its setting, the tokens it keeps (first LISTED), H, exp(H)."""
    def listed(kept: np.ndarray) -> str:
        words = [show_token(vocab[v]) for v in kept[:LISTED]]
        return " · ".join(words) + (f" … (+{len(kept) - LISTED:,})" if len(kept) > LISTED else "")

    return pd.DataFrame({
        "rule": [p.name for p in panels], "setting": [p.setting for p in panels],
        "kept": [len(p.kept) for p in panels], "kept tokens": [listed(p.kept) for p in panels],
        "H (nats)": [p.entropy for p in panels], "exp(H)": [p.effective_vocab for p in panels],
    })


def panel_knobs(start: rc.Rule, vocab_size: int, *, key: str) -> rc.Rule:
    """Knob widgets for the panels (keys ``{key}_T``, ``{key}_k``, ...), starting from ``start``'s
    values where its filters are on and from DEMO values (top-k 3) where they are off; the
    repetition penalty is ``start``'s. Returns them as a sampling Rule."""
    limits = rc.limits
    first = {name: getattr(start, name) if getattr(start, name) != getattr(limits, name.upper()).default
             else DEMO.get(name) for name in ("top_p", "min_p", "typical_p")}
    cols = st.columns(5)
    T = knob_slider(cols[0], limits.TEMPERATURE, key=f"{key}_T",
                    default=1.0 if start.is_greedy else start.temperature)
    k = top_k_box(cols[1], vocab_size, key=f"{key}_k", default=start.top_k or min(3, vocab_size))
    values = {limit.key: knob_slider(col, limit, key=f"{key}_{limit.key}", default=first[limit.key])
              for col, limit in zip(cols[2:], (limits.TOP_P, limits.MIN_P, limits.TYPICAL_P))}
    return rc.Rule("sample", temperature=T, top_k=int(k), repetition_penalty=start.repetition_penalty, **values)


def render_rule_panels(trace: rc.StepTrace, vocab: tuple[str, ...], knobs: rc.Rule, *, key: str,
                       context: Sequence[int] = ()) -> tuple[rc.decoding.Panel, ...]:
    """The panels of ``trace``'s logits o_t under ``knobs`` (``context``: the ids fed in up to
    this step, for a repetition penalty), drawn as a figure and a table; returns the panels."""
    panels = rc.decoding.rule_panels(trace.logits, knobs, context)
    plotly_chart(panels_figure(panels, vocab), key=f"{key}_figure")
    st.caption("Each panel applies one rule alone to the same o_t: the temperature first, then that filter; "
               "coloured bars are the renormalised q the rule would draw from, grey outlines the tokens it "
               "cuts. H is q's entropy and exp(H) its effective vocabulary: how many equally likely tokens "
               "would be as uncertain. Generation chains the filters in this order (each one on what the "
               "previous kept).")
    st.dataframe(panels_table(panels, vocab), hide_index=True, width="stretch", key=f"{key}_table",
                 column_config={"H (nats)": st.column_config.NumberColumn(format="%.4f"),
                                "exp(H)": st.column_config.NumberColumn(format="%.3f")})
    return panels
