"""Plotly figures drawn from ``rnn_core`` traces, shared by every page.

Each function takes trace records (and the vocabulary) and returns a ``go.Figure``; nothing here
recomputes the model. Token colours are the same on every page: token id v always gets
``token_color(v)``.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative, unlabel_rgb

from rnn_core import StepTrace

PALETTE = qualitative.D3 + qualitative.Set2
GREY = "#c7ccd4"
H_PREV_COLOR = "#9aa5b1"
H_COLOR = "#1f5fbf"
MAX_BARS = 40  # a distribution over more tokens shows the most probable ones (and the chosen)


def token_color(token_id: int) -> str:
    return PALETTE[token_id % len(PALETTE)]


def rgba(color: str, alpha: float) -> str:
    """'#1f77b4' or 'rgb(31, 119, 180)' with alpha 0.45 -> 'rgba(31, 119, 180, 0.45)'."""
    r, g, b = unlabel_rgb(color) if color.startswith("rgb") else hex_to_rgb(color)
    return f"rgba({r:g}, {g:g}, {b:g}, {alpha:g})"


def _layout(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=16)),
        height=height,
        margin=dict(l=10, r=10, t=46, b=10),
        showlegend=fig.layout.showlegend if fig.layout.showlegend is not None else False,
    )
    return fig


def shown_ids(trace: StepTrace, max_bars: int = MAX_BARS) -> np.ndarray:
    """Ids to draw: all of them for a small vocabulary, else the most probable and the chosen."""
    V = len(trace.probs)
    if V <= max_bars:
        return np.arange(V)
    top = np.argsort(-trace.probs, kind="stable")[:max_bars]
    return np.sort(np.union1d(top, [trace.token_id]))


def distribution_figure(trace: StepTrace, vocab: tuple[str, ...], title: str | None = None) -> go.Figure:
    """y_t as bars over the vocabulary: the chosen token in its colour with a dark outline, other
    tokens paler, tokens that top-k/top-p cut away grey; p printed on every bar."""
    ids = shown_ids(trace)
    kept = set(trace.kept)
    colors, lines = [], []
    for v in ids:
        chosen = v == trace.token_id
        # Paleness goes into rgba colours: a per-bar opacity list stops Plotly reporting bar clicks.
        colors.append(rgba(token_color(v), 1.0 if chosen else 0.45) if v in kept else rgba(GREY, 0.6))
        lines.append(2.5 if chosen else 0)
    fig = go.Figure(
        go.Bar(
            x=[axis_label(vocab[v]) for v in ids],
            y=trace.probs[ids],
            text=[f"{p:.3f}" for p in trace.probs[ids]],
            textposition="outside",
            marker=dict(color=colors, line=dict(width=lines, color="#111827")),
            customdata=ids,
            hovertemplate="%{x}: p = %{y:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 1.12], title="probability y_t")
    fig.update_xaxes(type="category", title="next token")
    how = {"sampled": "sampled", "greedy": "greedy", "forced": "forced by you", "prompt": "from the prompt"}
    default = f"y_{trace.t} = softmax(o_{trace.t}) · chose “{trace.token}” ({how[trace.how]})"
    return _layout(fig, title or default)


def hidden_figure(trace: StepTrace, title: str | None = None) -> go.Figure:
    """h_{t-1} and h_t side by side per hidden unit, on a fixed [-1, 1] axis (tanh's range)."""
    units = [f"h[{i}]" for i in range(len(trace.h))]
    fig = go.Figure(
        [
            go.Bar(name=f"h_{trace.t - 1}", x=units, y=trace.h_prev, marker_color=H_PREV_COLOR,
                   hovertemplate="%{x}: %{y:.4f}<extra>h_" + str(trace.t - 1) + "</extra>"),
            go.Bar(name=f"h_{trace.t}", x=units, y=trace.h, marker_color=H_COLOR,
                   text=[f"{v:.3f}" for v in trace.h], textposition="outside",
                   hovertemplate="%{x}: %{y:.4f}<extra>h_" + str(trace.t) + "</extra>"),
        ]
    )
    fig.update_layout(barmode="group", showlegend=True, legend=dict(orientation="h", y=1.02, x=1, xanchor="right"))
    fig.update_yaxes(range=[-1.15, 1.15], title="value", zeroline=True, zerolinecolor="#6b7280")
    return _layout(fig, title or f"hidden state: h_{trace.t - 1} → h_{trace.t}")


def trajectory_figure(traces: list[StepTrace], upto: int, title: str | None = None) -> go.Figure:
    """For H = 3: the path h_0, h_1, ..., h_upto inside the cube [-1, 1]^3, labelled by input token."""
    points = [traces[0].h_prev] + [tr.h for tr in traces[:upto]]
    xyz = np.array(points)
    labels = ["h_0"] + [f"h_{tr.t} ({axis_label(tr.input)})" for tr in traces[:upto]]
    colors = ["#6b7280"] + [token_color(tr.input_id) for tr in traces[:upto]]
    fig = go.Figure(
        go.Scatter3d(
            x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="lines+markers+text", text=labels,
            marker=dict(size=6, color=colors), line=dict(color=H_COLOR, width=5),
            hovertemplate="%{text}<br>(%{x:.3f}, %{y:.3f}, %{z:.3f})<extra></extra>",
        )
    )
    axis = dict(range=[-1, 1], autorange=False)
    fig.update_layout(
        scene=dict(xaxis=dict(title="h[0]", **axis), yaxis=dict(title="h[1]", **axis),
                   zaxis=dict(title="h[2]", **axis), aspectmode="cube"),
        uirevision="trajectory",  # keep the user's camera while the path grows
    )
    return _layout(fig, title or f"trajectory of h in [-1, 1]³ up to step {upto}", height=420)


def hidden_heatmap(traces: list[StepTrace], upto: int | None = None, title: str | None = None) -> go.Figure:
    """h over steps: rows are hidden units, columns steps (labelled by input token); [-1, 1] scale."""
    shown = traces[: len(traces) if upto is None else upto]
    z = np.array([tr.h for tr in shown]).T  # (H, T)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[f"{tr.t}: {axis_label(tr.input)}" for tr in shown], y=[f"h[{i}]" for i in range(z.shape[0])],
            zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
            hovertemplate="step %{x}<br>%{y} = %{z:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title="step: input token")
    return _layout(fig, title or "hidden state h_t over steps", height=min(600, 160 + 14 * z.shape[0]))


def distributions_heatmap(traces: list[StepTrace], vocab: tuple[str, ...], title: str | None = None) -> go.Figure:
    """y_t for every step (rows) over the vocabulary (columns); the chosen token marked with ×."""
    z = np.array([tr.probs for tr in traces])  # (T, V)
    rows = [f"{tr.t}: {axis_label(tr.input)}" for tr in traces]
    cols = [axis_label(v) for v in vocab]
    height = min(700, 160 + 22 * len(rows))
    fig = go.Figure(
        [
            go.Heatmap(z=z, x=cols, y=rows, zmin=0, zmax=1, colorscale="Blues",
                       hovertemplate="step %{y} → %{x}: p = %{z:.4f}<extra></extra>"),
            go.Scatter(x=[cols[tr.token_id] for tr in traces], y=rows, mode="markers", name="chosen",
                       marker=dict(symbol="x", size=max(3, min(11, height // len(rows))), color="#d62728",
                                   line=dict(width=1)),
                       hovertemplate="chosen: %{x}<extra></extra>"),
        ]
    )
    fig.update_xaxes(type="category", title="next token")
    fig.update_yaxes(type="category", autorange="reversed", title="step: input token")
    return _layout(fig, title or "y_t at every step (× = chosen)", height=height)


def show_token(token: str) -> str:
    """A token as visible text: whitespace tokens become ␣, ⏎ and ⇥."""
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(token, token)


def axis_label(token: str) -> str:
    """A token as Plotly text: visible whitespace and '<', '>', '&' escaped, since Plotly reads
    labels as HTML (a bare "</s>" vanishes as a closing tag and throws the layout off)."""
    return html.escape(show_token(token), quote=False)
