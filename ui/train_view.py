"""The Train page's figures and tables: the loss curves, the model at its checkpoints, the
teacher-forced table and the weights.

Plain functions of losses, traces and parameters (no Streamlit), unit tested without a browser.
Running a training is ``ui.train_state`` (the session's side) and ``ui.train_worker`` (the process).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import rnn_core as rc
from ui.charts import H_COLOR, axis_label, show_token

MAX_CURVE_POINTS = 2000  # a longer loss curve is thinned for drawing (every k-th point)
MAX_ROWS = 60  # rows of a weight heatmap (tokens) and positions of a sentence shown
MAX_CELL_TEXT = 300  # print values in heatmap cells only when there are at most this many
RAW_COLOR = "#9ab8e6"  # each step's loss: pale, under the smoothed curve
VALIDATION_COLOR = "#e8710a"


def _titled(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)), height=height,
                      margin=dict(l=10, r=10, t=60, b=10), showlegend=False)
    return fig


def thinned(n: int) -> np.ndarray:
    """Indices 0..n-1 to draw: every k-th, so at most about MAX_CURVE_POINTS, and always the last."""
    k = max(1, math.ceil(n / MAX_CURVE_POINTS))
    idx = np.arange(0, n, k)
    return np.append(idx, n - 1) if n and idx[-1] != n - 1 else idx


def loss_figure(losses, smoothed, validation=(), total: int | None = None, start: int = 0) -> go.Figure:
    """The loss of every training step (thin), its smoothed curve (bold) and the validation loss on
    held-out text (markers); beside it the same as perplexity = exp(loss), the number of tokens
    the model is, in effect, choosing between.

    Inputs: losses (n,) mean cross-entropy (nats) of updates start + 1 .. start + n; smoothed (n,)
    their moving average (``rc.ema``); validation, ``rc.ValidationLoss`` records (their own step);
    total, the last step of the run, fixes the x range so a live curve grows left to right.
    """
    losses, smoothed, n = np.asarray(losses, float), np.asarray(smoothed, float), len(losses)
    idx = thinned(n)
    steps = start + 1 + idx
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss (cross-entropy, nats)", "perplexity = exp(loss)"))
    for col, f in ((1, float), (2, rc.perplexity)):
        name = "loss" if col == 1 else "perplexity"
        fig.add_trace(go.Scatter(x=steps, y=[f(v) for v in losses[idx]], mode="lines", name=f"{name} of each step",
                                 line=dict(color=RAW_COLOR, width=1), legendgroup="raw", showlegend=col == 1,
                                 hovertemplate=f"step %{{x}}: {name} %{{y:.4f}}<extra></extra>"), 1, col)
        fig.add_trace(go.Scatter(x=steps, y=[f(v) for v in smoothed[idx]], mode="lines", name="smoothed",
                                 line=dict(color=H_COLOR, width=2.5), legendgroup="smooth", showlegend=col == 1,
                                 hovertemplate=f"step %{{x}}: smoothed {name} %{{y:.4f}}<extra></extra>"), 1, col)
        if len(validation):
            fig.add_trace(go.Scatter(x=[v.step for v in validation], y=[f(v.loss) for v in validation],
                                     mode="lines+markers", name="validation (held-out text)",
                                     line=dict(color=VALIDATION_COLOR, width=2), marker=dict(size=8),
                                     legendgroup="validation", showlegend=col == 1,
                                     hovertemplate=f"step %{{x}}: validation {name} %{{y:.4f}}<extra></extra>"), 1, col)
        fig.update_xaxes(title_text="training step", range=[start, max(total or start + n, start + 1)], row=1, col=col)
        fig.update_yaxes(rangemode="tozero", row=1, col=col)
    fig = _titled(fig, loss_title(losses, smoothed, validation, start), 340)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.25, x=0))
    return fig


def loss_title(losses: np.ndarray, smoothed: np.ndarray, validation, start: int) -> str:
    if not len(losses):
        return "no steps yet"
    text = f"step {start + len(losses)}: loss {losses[-1]:.4f}, smoothed {smoothed[-1]:.4f}"
    if len(validation):
        text += f" · validation {validation[-1].loss:.4f} (step {validation[-1].step})"
    return text


def learning_heatmap(rows: list[tuple[int, list[rc.StepTrace]]], selected: int | None = None) -> go.Figure:
    """The probability of each correct next token (columns: positions of a teacher-forced
    sentence) at each snapshot (rows: training step), values printed in the cells.

    Inputs: rows [(step, traces)] with traces from ``teacher_forced`` on that snapshot's weights;
    selected, the index of the row the slider points at (outlined).
    """
    traces0 = rows[0][1]
    cols = [f"{tr.t}: {axis_label(tr.input)} → {axis_label(tr.token)}" for tr in traces0]
    ys = [f"step {step}" for step, _ in rows]
    z = np.array([[tr.p_token for tr in traces] for _, traces in rows])  # (S, T)
    fig = go.Figure(go.Heatmap(
        z=z, x=cols, y=ys, zmin=0, zmax=1, colorscale="Blues", texttemplate="%{z:.2f}",
        colorbar=dict(title="p"), hovertemplate="%{y}, %{x}<br>p(correct) = %{z:.4f}<extra></extra>",
    ))
    if selected is not None:
        fig.add_shape(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=selected - 0.5, y1=selected + 0.5,
                      line=dict(color="#d62728", width=3))
    fig.update_xaxes(type="category", title="position: input → correct next token")
    fig.update_yaxes(type="category", autorange="reversed", title="training step")
    return _titled(fig, "p(correct next token) as training goes on", min(560, 150 + 34 * len(rows)))


def teacher_forced_table(traces: list[rc.StepTrace], vocab: tuple[str, ...]) -> pd.DataFrame:
    """One row per position of a teacher-forced sentence: the input fed in, the true next token
    (target), y_t(target), the model's own top choice and its probability, and whether they agree."""
    top = [int(np.argmax(tr.probs)) for tr in traces]
    return pd.DataFrame({
        "t": [tr.t for tr in traces],
        "input": [show_token(tr.input) for tr in traces],
        "target": [show_token(tr.token) for tr in traces],
        "p(target)": [tr.p_token for tr in traces],
        "top choice": [show_token(vocab[v]) for v in top],
        "p(top)": [float(tr.probs[v]) for tr, v in zip(traces, top)],
        "top = target": [v == tr.token_id for tr, v in zip(traces, top)],
    })


def weight_heatmap(name: str, W: np.ndarray, rows: list[str], cols: list[str]) -> go.Figure:
    """One weight matrix W (R, C) as a heatmap on a symmetric red-blue scale (0 is white), rows
    and columns labelled; only the first MAX_ROWS rows when there are more."""
    shape = " x ".join(map(str, W.shape))
    cut = f" · first {MAX_ROWS} rows" if len(W) > MAX_ROWS else ""
    W = W[:MAX_ROWS]
    rows = [axis_label(r) for r in rows[:MAX_ROWS]]
    text = "%{z:.2f}" if W.size <= MAX_CELL_TEXT else None
    m = float(np.abs(W).max()) or 1.0
    fig = go.Figure(go.Heatmap(
        z=W, x=cols, y=rows, zmin=-m, zmax=m, colorscale="RdBu", reversescale=True, texttemplate=text,
        hovertemplate=name + "[%{y}, %{x}] = %{z:.4f}<extra></extra>",
    ))
    fig.update_xaxes(type="category", side="top")
    fig.update_yaxes(type="category", autorange="reversed")
    return _titled(fig, f"{name} ({shape}){cut}", min(640, 130 + 26 * len(rows)))


def weight_figures(params: rc.Params, vocab: tuple[str, ...]) -> dict[str, go.Figure]:
    """Heatmaps of embedding (V x E), W_x (H x E), W_h (H x H) and W_y (V x H); token rows are
    labelled by the vocabulary, hidden units h[i], embedding dimensions x[j]."""
    V, E, H = params.sizes
    xs = [f"x[{j}]" for j in range(E)]
    hs = [f"h[{i}]" for i in range(H)]
    return {
        "embedding": weight_heatmap("embedding", params.embedding, list(vocab), xs),
        "W_x": weight_heatmap("W_x", params.W_x, hs, xs),
        "W_h": weight_heatmap("W_h", params.W_h, hs, [f"h_prev[{j}]" for j in range(H)]),
        "W_y": weight_heatmap("W_y", params.W_y, list(vocab), hs),
    }


def sentence_choices(corpus: rc.Corpus, n: int = 50) -> list[tuple[str, ...]]:
    """Sentences worth a teacher-forced look: the first n of ``corpus.lines()`` (word level each
    ending in </s>, char level non-blank lines as characters) with at least two tokens, else the
    whole text; each cut to MAX_ROWS + 1 tokens."""
    sentences = [s for s in corpus.lines()[:n] if len(s) >= 2] or [corpus.sentences[0]]
    return [tuple(s[: MAX_ROWS + 1]) for s in sentences]
