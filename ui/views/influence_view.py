"""Influence of each past token (``rnn_core.influence``): how much a small change of the input at
position s (x_s, or the hidden state h_s) moves the prediction at step t, ||d log y_t[w_t] / d x_s||.

Two pictures: the earlier tokens of the inspected step shaded by their influence on its
prediction, and the whole lower-triangular t x s matrix as a heatmap (log scale: the values
span orders of magnitude when gradients vanish).
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common.charts import BLUES, axis, figure, frame, heatmap_trace
from ui.common.text import axis_label, html_token
from ui.common.theme import plotly_chart

MAX_HEATMAP = 200  # positions drawn in the t x s heatmap at most (200 x 200 cells)
SHADE = (31, 95, 191)  # H_COLOR as RGB: the more influence, the more opaque
WRT = {"x": "the input x_s", "h": "the hidden state h_s"}
INFLUENCE_CSS = ("<style>.infl{line-height:2.1}.infl span{white-space:pre-wrap;border-radius:3px;padding:2px 4px;"
                 "margin-right:3px}.infl .next{font-weight:700;border:2px solid #111827}</style>")


def row_html(inf: rc.analysis.Influence, t: int) -> str:
    """The inputs of steps 1..t (w_0..w_{t-1}) shaded by their share of the largest influence on
    the prediction at step t, then the predicted token w_t outlined; each span's tooltip holds
    the norm. Tokens escaped. Needs INFLUENCE_CSS once on the page."""
    row = inf.norms[t - 1, :t]
    top = row.max() if row.max() > 0 else 1.0
    spans = []
    for s, (token, norm) in enumerate(zip(inf.inputs[:t], row), start=1):
        alpha = norm / top
        tip = html.escape(f"s = {s}: ||d log y_{t} / d {inf.wrt}_{s}|| = {norm:.3g} ({alpha:.0%} of the largest)",
                          quote=True)
        color = "#fff" if alpha > 0.55 else "#111827"
        spans.append(f'<span title="{tip}" style="background:rgba{(*SHADE, round(float(alpha), 3))};'
                     f'color:{color}">{html_token(token)}</span>')
    spans.append(f'→ <span class="next" title="predicted at step {t}">{html_token(inf.predicted[t - 1])}</span>')
    return f'<div class="infl">{"".join(spans)}</div>'


def heatmap(inf: rc.analysis.Influence, t: int | None = None) -> go.Figure:
    """log10 of the norms, rows t (prediction), columns s (input position), upper triangle empty;
    the inspected step's row outlined."""
    T = len(inf.inputs)
    with np.errstate(divide="ignore"):
        z = np.where(np.tril(np.ones((T, T), bool)), np.log10(inf.norms), np.nan)
    rows = [f"{i + 1}: {axis_label(w)}" for i, w in enumerate(inf.predicted)]
    cols = [f"{s + 1}: {axis_label(w)}" for s, w in enumerate(inf.inputs)]
    heat = heatmap_trace(z, cols, rows, "log<sub>10</sub> norm",
                         "predicting step %{y}<br>input %{x}<br>norm = %{customdata:.3g}<extra></extra>",
                         customdata=inf.norms, colorscale=BLUES)
    layout = {"xaxis": axis("input position s: token fed in", type="category"),
              "yaxis": axis("step t: token predicted", type="category", autorange="reversed"),
              **frame(f"‖∂ log y<sub>t</sub>[w<sub>t</sub>] / ∂{inf.wrt}<sub>s</sub>‖ for every step t and input s ≤ t",
                      height=min(640, 200 + 18 * T))}
    if t is not None:
        layout["shapes"] = [dict(type="rect", x0=-0.5, x1=t - 0.5, y0=t - 1.5, y1=t - 0.5,
                                 line=dict(color="#e4572e", width=2))]
    return figure({"data": [heat], "layout": layout})


def influence_of(model: rc.Model, traces: list[rc.StepTrace], wrt: str) -> rc.analysis.Influence:
    """``rc.analysis.influence`` of the path's own tokens (teacher-forced: the same h_t as the path)."""
    return rc.analysis.influence(model, rc.analysis.path_tokens(traces), wrt=wrt)


def choose_wrt(*, key: str) -> str:
    """'x' or 'h': influence through the input embedding x_s or the hidden state h_s."""
    return st.radio("Influence through", list(WRT), format_func=lambda w: WRT[w], horizontal=True, key=key,
                    persist_state="session",
                    help="x_s: the embedding of the token fed in at s. h_s: the hidden state right after it.")


def show_influence(inf: rc.analysis.Influence, t: int, *, key: str) -> None:
    """The inspected step's earlier tokens shaded by influence, then the t x s heatmap."""
    st.markdown(f"**Which earlier tokens move the prediction at step {t}?** Each is shaded by "
                f"||d log y_{t}[w_{t}] / d {inf.wrt}_s||, the size of the gradient of the log-probability of "
                f"the predicted token with respect to {WRT[inf.wrt]}, as a share of the largest (hover for the "
                "number).")
    st.markdown(INFLUENCE_CSS + row_html(inf, t), unsafe_allow_html=True)
    if len(inf.inputs) <= MAX_HEATMAP:
        plotly_chart(heatmap(inf, t), key=f"{key}_heatmap")
    else:
        st.caption(f"The t x s heatmap is drawn for paths of at most {MAX_HEATMAP} steps; this one has "
                   f"{len(inf.inputs):,}.")
    st.caption("A plain RNN reaches back through W_h and tanh' at every step: when those shrink the gradient, "
               "old tokens fade (vanishing gradients) and the rows darken only near the diagonal.")
