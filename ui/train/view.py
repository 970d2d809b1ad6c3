"""The Train page's figures and tables: the loss curves, the model at its checkpoints, the
teacher-forced table and the weights.

Plain functions of losses, traces and parameters (no Streamlit), unit tested without a browser.
Running a training is ``ui.train.state`` (the session's side) and ``ui.train.worker`` (the process).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import rnn_core as rc
from ui.common.charts import BLUES, H_COLOR, RDBU, axis, figure, frame, heatmap_trace, subplot, unit_label
from ui.common.text import axis_label, show_token

MAX_CURVE_POINTS = 2000  # a longer loss curve is thinned for drawing (every k-th point)
MAX_ROWS = 60  # rows of a weight heatmap (tokens) and positions of a sentence shown
MAX_CELL_TEXT = 300  # print values in heatmap cells only when there are at most this many
RAW_COLOR = "#9ab8e6"  # each step's loss: pale, under the smoothed curve
VALIDATION_COLOR = "#e8710a"
SMOOTHED = "moving average (exponential)"  # the bold curve's name: never called "the loss"


def _heatmap_figure(heat: dict, x: dict, y_title: str, title: str, height: int, **layout) -> go.Figure:
    """One heatmap trace, columns on the axis ``x``, rows down the page, under a two-line title."""
    return figure({"data": [heat], "layout": {
        "xaxis": x, "yaxis": axis(y_title, type="category", autorange="reversed"),
        **frame(title, lines=2, height=height, showlegend=False, **layout)}})


def thinned(n: int, points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indices 0..n-1 to draw: every k-th, so at most about ``points``, and always the last."""
    k = max(1, math.ceil(n / points))
    idx = np.arange(0, n, k)
    return np.append(idx, n - 1) if n and idx[-1] != n - 1 else idx


def loss_figure(losses, smoothed, validation=(), total: int | None = None, start: int = 0,
                points: int = MAX_CURVE_POINTS, log: bool = False) -> go.Figure:
    """The loss of every training step (thin), its moving average (bold) and the validation loss
    on held-out text (markers); beside it the same as perplexity = exp(loss), the number of
    tokens the model is, in effect, choosing between. The title gives the last step's loss: the
    moving average lags behind a falling loss, so it is never the headline.

    Inputs: losses (n,) mean cross-entropy (nats) of updates start + 1 .. start + n; smoothed (n,)
    their exponential moving average (``rc.training.ema``); validation, ``rc.training.ValidationLoss`` records (their
    own step); total, the last step of the run, fixes the x range so a live curve grows left to
    right; points, about how many of the n steps to draw; log, both y axes on a log scale (a
    long run's loss falls by orders of magnitude: on a linear axis it is a spike, then a flat
    line). Arrays, not lists, go to Plotly: it sends an array as one block of binary, a list
    number by number.
    """
    losses, smoothed, n = np.asarray(losses, float), np.asarray(smoothed, float), len(losses)
    idx = thinned(n, points)
    steps = start + 1 + idx
    valid_steps = np.array([v.step for v in validation])
    curves = {"raw": losses[idx], "smoothed": smoothed[idx], "validation": np.array([v.loss for v in validation])}
    traces = []
    for col, name in ((1, "loss"), (2, "perplexity")):
        y = curves if col == 1 else {k: np.array([rc.analysis.perplexity(v) for v in c]) for k, c in curves.items()}
        panel = {"type": "scatter", "xaxis": f"x{subplot(col)}", "yaxis": f"y{subplot(col)}", "showlegend": col == 1}
        traces.append({**panel, "x": steps, "y": y["raw"], "mode": "lines", "name": f"{name} of each step",
                       "legendgroup": "raw", "line": {"color": RAW_COLOR, "width": 1},
                       "hovertemplate": f"step %{{x}}: {name} %{{y:.4f}}<extra></extra>"})
        traces.append({**panel, "x": steps, "y": y["smoothed"], "mode": "lines", "name": SMOOTHED,
                       "legendgroup": "smooth", "line": {"color": H_COLOR, "width": 2.5},
                       "hovertemplate": f"step %{{x}}: moving average of the {name} %{{y:.4f}}<extra></extra>"})
        if len(validation):
            traces.append({**panel, "x": valid_steps, "y": y["validation"], "mode": "lines+markers",
                           "name": "validation (held-out text)", "line": {"color": VALIDATION_COLOR, "width": 2},
                           "marker": {"size": 8}, "legendgroup": "validation",
                           "hovertemplate": f"step %{{x}}: validation {name} %{{y:.4f}}<extra></extra>"})
    layout = two_panels(("loss (cross-entropy)", "perplexity = exp(loss)"), ("loss (nats per token)", "perplexity"),
                        [start, max(total or start + n, start + 1)], log)
    layout.update(frame(loss_title(losses, validation, start), lines=2, height=340, showlegend=True,
                        legend=dict(orientation="h", y=-0.25, x=0)))
    return figure({"data": traces, "layout": layout})


def two_panels(titles: tuple[str, str], y_titles: tuple[str, str], x_range: list[int], log: bool = False) -> dict:
    """A layout of two charts side by side over the same training steps (what make_subplots
    makes, written out: make_subplots alone costs a live redraw about 10 ms)."""
    axes = {}
    for col, domain in ((1, [0, 0.45]), (2, [0.55, 1])):
        n = subplot(col)
        axes[f"xaxis{n}"] = axis("training step", domain=domain, anchor=f"y{n}", range=x_range)
        y = axis(y_titles[col - 1], anchor=f"x{n}")
        axes[f"yaxis{n}"] = dict(y, type="log", exponentformat="power") if log else dict(y, rangemode="tozero")
    notes = [dict(text=t, x=sum(d) / 2, xref="paper", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                  font=dict(size=14)) for t, d in zip(titles, ([0, 0.45], [0.55, 1]))]
    return dict(**axes, annotations=notes)


def loss_title(losses: np.ndarray, validation, start: int) -> str:
    """'step 60: loss 0.1001 · validation 0.2000 (step 60)': the last step's own loss."""
    if not len(losses):
        return "no steps yet"
    text = f"step {start + len(losses):,}: loss {losses[-1]:.4f}"
    if len(validation):
        text += f" · validation {validation[-1].loss:.4f} (step {validation[-1].step:,})"
    return text


def live_span(step: int, total: int, first: int = 100) -> int:
    """The last step a live chart's x axis shows: ``first``, doubled until the curve fills at
    most 80% of it, never past ``total``; so a long run's curve is readable from the start and
    the axis changes only now and then."""
    span = first
    while span < total and step > 0.8 * span:
        span *= 2
    return min(span, total)


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
    heat = heatmap_trace(z, cols, ys, "p(correct)", "%{y}, %{x}<br>p(correct) = %{z:.4f}<extra></extra>",
                         zmin=0, zmax=1, colorscale=BLUES, texttemplate="%{z:.2f}")
    outlined = {} if selected is None else {"shapes": [dict(type="rect", xref="paper", x0=0, x1=1, yref="y",
                                                            y0=selected - 0.5, y1=selected + 0.5,
                                                            line=dict(color="#d62728", width=3))]}
    return _heatmap_figure(heat, axis("position: input → correct next token", type="category"), "training step",
                           "p(correct next token) as training goes on", min(560, 150 + 34 * len(rows)), **outlined)


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


def typeset(name: str) -> str:
    """A weight's name as Plotly writes it: 'W_x' -> 'W<sub>x</sub>', 'embedding' as it is."""
    base, _, sub = name.partition("_")
    return f"{base}<sub>{sub}</sub>" if sub else name


def weight_heatmap(name: str, W: np.ndarray, rows: list[str], cols: list[str],
                   axes: tuple[str, str] = ("row", "column")) -> go.Figure:
    """One weight matrix W (R, C) as a heatmap on a symmetric red-blue scale (0 is white), rows
    and columns labelled (``rows``, ``cols``: labels as Plotly shows them) and the axes titled
    (``axes``: what a row and a column are); only the first MAX_ROWS rows when there are more."""
    shape = " × ".join(map(str, W.shape))
    cut = f" · first {MAX_ROWS} rows" if len(W) > MAX_ROWS else ""
    W, rows = W[:MAX_ROWS], rows[:MAX_ROWS]
    text = "%{z:.2f}" if W.size <= MAX_CELL_TEXT else None
    m = float(np.abs(W).max()) or 1.0
    heat = heatmap_trace(W, cols, rows, "weight", typeset(name) + "[%{y}, %{x}] = %{z:.4f}<extra></extra>",
                         zmin=-m, zmax=m, colorscale=RDBU, reversescale=True, texttemplate=text)
    return _heatmap_figure(heat, axis(axes[1], type="category", side="top"), axes[0],
                           f"{typeset(name)} ({shape}){cut}", min(640, 150 + 26 * len(rows)))


def weight_figures(params: rc.Params, vocab: tuple[str, ...]) -> dict[str, go.Figure]:
    """Heatmaps of embedding (V x E), W_x (H x E), W_h (H x H) and W_y (V x H); token rows are
    labelled by the vocabulary, hidden units 'unit 1'.. (``unit_label``), embedding dimensions
    'dim 1'.., the axes titled with what they index."""
    _, E, H = params.sizes
    dims, units = [f"dim {j + 1}" for j in range(E)], [unit_label(i) for i in range(H)]
    tokens = [axis_label(t) for t in vocab[:MAX_ROWS]]  # whitespace visible, markup escaped
    x_dim, h_unit = "dimension of the embedding x<sub>t</sub>", "hidden unit of h<sub>t</sub>"
    return {
        "embedding": weight_heatmap("embedding", params.embedding, tokens, dims, ("token", x_dim)),
        "W_x": weight_heatmap("W_x", params.W_x, units, dims, (h_unit, x_dim)),
        "W_h": weight_heatmap("W_h", params.W_h, units, units, (h_unit, "hidden unit of h<sub>t−1</sub>")),
        "W_y": weight_heatmap("W_y", params.W_y, tokens, units, ("token (its score in o<sub>t</sub>)", h_unit)),
    }


def sentence_choices(corpus: rc.Corpus, n: int = 50) -> list[tuple[str, ...]]:
    """Sentences worth a teacher-forced look: the first n of ``corpus.lines()`` (word level each
    ending in </s>, char level non-blank lines as characters) with at least two tokens, else the
    whole text; each cut to MAX_ROWS + 1 tokens."""
    sentences = [s for s in corpus.lines()[:n] if len(s) >= 2] or [corpus.sentences[0]]
    return [tuple(s[: MAX_ROWS + 1]) for s in sentences]
