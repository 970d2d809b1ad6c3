"""The Train page's figures, tables and training bookkeeping.

Figures and tables are plain functions of traces, losses and parameters (no Streamlit), unit
tested without a browser. Below them, the few helpers that keep a training run in the visitor's
``st.session_state`` so that a run interrupted by the Stop button (a click reruns the script,
which stops the running one) still keeps what it learned.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import rnn_core as rc
from ui.charts import H_COLOR, axis_label, show_token

N_SNAPSHOTS = 8  # "watch it learn": weights kept at this many evenly spaced steps
MAX_CURVE_POINTS = 2000  # a longer loss curve is thinned for drawing (every k-th point)
MAX_ROWS = 60  # rows of a weight heatmap (tokens) and positions of a sentence shown
MAX_CELL_TEXT = 300  # print values in heatmap cells only when there are at most this many


# ---------------------------------------------------------------- figures and tables


def _titled(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)), height=height,
                      margin=dict(l=10, r=10, t=60, b=10), showlegend=False)
    return fig


def loss_figure(losses: list[float], total: int | None = None) -> go.Figure:
    """Loss and perplexity per training step, side by side.

    Inputs: losses (n,) mean cross-entropy (nats) of each update; total, the number of steps asked
    for, fixes the x range so a live curve grows from left to right. Perplexity = exp(loss): the
    number of tokens the model is, in effect, choosing between.
    """
    n = len(losses)
    k = max(1, math.ceil(n / MAX_CURVE_POINTS))
    steps = list(range(1, n + 1, k))
    shown = [losses[s - 1] for s in steps]
    if n and steps[-1] != n:  # always draw the latest point
        steps.append(n)
        shown.append(losses[-1])
    ppl = [rc.perplexity(v) for v in shown]
    last = f"step {n}: loss {losses[-1]:.4f}, perplexity {rc.perplexity(losses[-1]):.3f}" if n else "no steps yet"
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss (cross-entropy, nats)", "perplexity = exp(loss)"))
    fig.add_trace(go.Scatter(x=steps, y=shown, mode="lines", line=dict(color=H_COLOR, width=2),
                             name="loss", hovertemplate="step %{x}: loss %{y:.4f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Scatter(x=steps, y=ppl, mode="lines", line=dict(color="#d62728", width=2),
                             name="perplexity", hovertemplate="step %{x}: perplexity %{y:.3f}<extra></extra>"), 1, 2)
    for col in (1, 2):
        fig.update_xaxes(title_text="training step", range=[0, max(total or n, 1)], row=1, col=col)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return _titled(fig, last, 320)


def snapshot_steps(total: int, n: int = N_SNAPSHOTS) -> list[int]:
    """n evenly spaced steps from 0 (the initial weights) to ``total``, without repeats."""
    return sorted({round(total * i / (n - 1)) for i in range(n)})


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


def grad_norm_figure(norms: np.ndarray, tokens) -> go.Figure:
    """||dLoss/dh_t|| per time step of one sentence as bars, labelled by the input token.

    Inputs: norms (T,) from ``sentence_grad_norms``; tokens, the sentence (T + 1 tokens: the
    inputs are tokens[:-1]). A log axis, since vanishing gradients shrink geometrically.
    """
    labels = [f"{t + 1}: {axis_label(tok)}" for t, tok in enumerate(list(tokens)[: len(norms)])]
    fig = go.Figure(go.Bar(x=labels, y=norms, marker_color=H_COLOR, text=[f"{v:.3g}" for v in norms],
                           textposition="outside", hovertemplate="step %{x}: ||dL/dh|| = %{y:.4g}<extra></extra>"))
    fig.update_xaxes(type="category", title="time step t: input token")
    fig.update_yaxes(type="log", title="||dLoss / dh_t||")
    return _titled(fig, "gradient reaching each time step", 340)


def sentence_choices(corpus: rc.Corpus, n: int = 50) -> list[tuple[str, ...]]:
    """Sentences worth a teacher-forced look: the first n of ``corpus.lines()`` (word level each
    ending in </s>, char level non-blank lines as characters) with at least two tokens, else the
    whole text; each cut to MAX_ROWS + 1 tokens."""
    sentences = [s for s in corpus.lines()[:n] if len(s) >= 2] or [corpus.sentences[0]]
    return [tuple(s[: MAX_ROWS + 1]) for s in sentences]


# ---------------------------------------------------------------- a training run in session state


@dataclass
class Run:
    """A training run as the page keeps it: the model it started from, the latest weights and
    losses (updated by ``on_step`` while it trains), the snapshots, and how it ended."""

    start: rc.Model  # the freshly initialised model
    total: int  # steps asked for
    params: rc.Params  # the latest weights
    losses: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, rc.Params]] = field(default_factory=list)  # (step, weights)
    status: str = "running"  # running | done | stopped | diverged
    message: str = ""
    model: rc.Model | None = None  # the result, once finished
    version: int | None = None  # the model_version the result was installed as (None: not installed)

    def __post_init__(self):
        self._keep = set(snapshot_steps(self.total))
        self.snapshots = [(0, self.start.params.copy())]  # a copy: safe even if training updates in place

    def on_step(self, info: rc.StepInfo) -> None:
        """Record one update (the training loop's callback); copy the weights at snapshot steps."""
        self.params = info.params
        self.losses.append(info.loss)
        if info.step in self._keep:
            self.snapshots.append((info.step, info.params.copy()))

    def partial_model(self) -> rc.Model | None:
        """The model as far as it got (None if not one update was made)."""
        if not self.losses:
            return None
        return self.start.with_training(self.params, len(self.losses), self.losses[-1])

    def finish(self, model: rc.Model | None, status: str, message: str, losses: list[float] | None = None) -> None:
        """Close the run: keep the final weights as the last snapshot too. ``losses``: the
        report's, which on divergence drop the last step's (its weights were dropped too)."""
        self.model, self.status, self.message = model, status, message
        if losses is not None:
            self.losses = list(losses)
            self.snapshots = [(s, p) for s, p in self.snapshots if s <= len(self.losses)]
        if model is not None and self.snapshots[-1][0] != len(self.losses):
            self.snapshots.append((len(self.losses), model.params))

    def snapshot_model(self, i: int) -> rc.Model:
        """The run's model with the weights of snapshot i."""
        return replace(self.model or self.start, params=self.snapshots[i][1])


def start_model(corpus: rc.Corpus, config: rc.TrainConfig) -> rc.Model:
    """The untrained model a run starts from: for the seed corpus the seed preset (whose x for
    "I" is the seed document's [0.1, 0.3, 0.5] when E = 3), else random weights from config.seed.
    ConfigError if the sizes make too many parameters."""
    if corpus.name == rc.seed_corpus().name and corpus.text == rc.seed_corpus().text:
        return rc.seed_model(config)
    return rc.new_model(corpus, config)


class Throttle:
    """Says when a live redraw is due: at most every ``interval`` seconds, and never so often that
    drawing takes more than ``share`` of the time (a Plotly figure costs tens of milliseconds, a
    step of a small model far less), so live charts cost training little. The final step is
    always due."""

    def __init__(self, interval: float = 0.2, share: float = 0.2):
        self.interval, self.share = interval, share
        self.last, self.cost = 0.0, 0.0

    def due(self, final: bool = False) -> bool:
        now = time.perf_counter()
        return final or now - self.last >= max(self.interval, self.cost / self.share)

    def drew(self, started: float) -> None:
        """Record a redraw that began at ``started`` (a ``time.perf_counter()`` reading)."""
        self.last = time.perf_counter()
        self.cost = self.last - started
