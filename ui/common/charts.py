"""Plotly figures drawn from ``rnn_core`` traces, shared by every page, and the helpers every
page's figures are built with.

Each figure function takes trace records (and the vocabulary) and returns a ``go.Figure``;
nothing here recomputes the model. Figures are built as plain-dict specs (``{"data": [...],
"layout": {...}}``) and made a figure by ``figure``, which skips Plotly's validation of every
property (a third of a rerun's CPU): the specs spell out what validation would have filled in
(``axis`` titles as ``{"text": ...}``, named colour scales as lists). Token colours are the same
on every page: token id v always gets ``token_color(v)``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import diverging, hex_to_rgb, qualitative, sequential, unlabel_rgb

from rnn_core import StepTrace
from ui.common.text import axis_label


def _is_grey(color: str) -> bool:
    r, g, b = unlabel_rgb(color) if color.startswith("rgb") else hex_to_rgb(color)
    return r == g == b


PALETTE = [c for c in qualitative.D3 + qualitative.Set2 if not _is_grey(c)]  # grey means "cut by top-k/top-p"
GREY = "#c7ccd4"
H_PREV_COLOR = "#9aa5b1"
H_COLOR = "#1f5fbf"
CLEAR = "rgba(0,0,0,0)"  # the fill of bars drawn as outlines only
LEGEND_ABOVE = {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right"}  # above the plot, at its right
MAX_BARS = 40  # a distribution over more tokens shows the most probable ones (and the chosen)
MAX_HIDDEN_BARS = 16  # more hidden units than this are drawn as a colour strip: bars too thin to read
MAX_LABELLED_UNITS = 8  # values printed on the bars up to this many units
HIDDEN_RANGE = 1.6  # the hidden chart's y axis: tanh's [-1, 1] plus room for the value labels


def unit_label(i: int) -> str:
    """Hidden unit i (0-based in the arrays) as every page names it: 'unit 1' .. 'unit H'. One
    convention on screen, 1-based like the steps, so 'h_1' (the state after step 1) and a unit
    number are never confused."""
    return f"unit {i + 1}"


def token_color(token_id: int) -> str:
    return PALETTE[token_id % len(PALETTE)]


def rgba(color: str, alpha: float) -> str:
    """'#1f77b4' or 'rgb(31, 119, 180)' with alpha 0.45 -> 'rgba(31, 119, 180, 0.45)'."""
    r, g, b = unlabel_rgb(color) if color.startswith("rgb") else hex_to_rgb(color)
    return f"rgba({r:g}, {g:g}, {b:g}, {alpha:g})"


TITLE_TOP = {1: 46, 2: 60, 3: 84}  # px above the plot for a title of 1, 2 or 3 lines


def frame(title: str, *, lines: int = 1, height: int | None = None, **layout) -> dict:
    """Every chart's title and frame, in one place: the title at the top left in 16 px, 10 px
    margins but the top, which holds ``lines`` lines of title; ``height`` and ``layout`` added."""
    return {"title": {"text": title, "x": 0, "font": {"size": 16}},
            "margin": {"l": 10, "r": 10, "t": TITLE_TOP[lines], "b": 10},
            **({"height": height} if height is not None else {}), **layout}


def titled(spec: dict, title: str, **frame_args) -> dict:
    """``spec`` with its layout framed: ``frame(title, **frame_args)`` added to it."""
    spec["layout"].update(frame(title, **frame_args))
    return spec


def figure(spec: dict) -> go.Figure:
    """A plain-dict figure spec as a ``go.Figure`` for ``st.plotly_chart``, without Plotly's
    validation of every property (a third of a rerun's CPU): the specs here are built valid."""
    return go.Figure(spec, _validate=False)


def _scale(colors: list[str]) -> list[list]:
    """A named colour scale as the [position, colour] list Plotly's validation makes of its name.
    Unvalidated, the name would reach plotly.js, whose 'Blues' and 'RdBu' are other colours."""
    return [[i / (len(colors) - 1), color] for i, color in enumerate(colors)]


BLUES = _scale(sequential.Blues)  # probabilities: 0 white, 1 dark blue
RDBU = _scale(diverging.RdBu)  # with reversescale: -1 blue, 0 white, +1 red (h and the weights)


def axis(title: str, **props) -> dict:
    """A layout axis (or a scene's) titled ``title``, with any other axis ``props``."""
    return {"title": {"text": title}, **props}


def subplot(k: int) -> str:
    """The suffix of the k-th chart's axes in a figure of several (1-based), as Plotly names
    them: '' (xaxis, yaxis; traces on 'x', 'y'), then '2' (xaxis2, 'x2'), ..."""
    return "" if k == 1 else str(k)


def bar_trace(name: str, x, y, hover: str, color, *, line: dict | None = None, **props) -> dict:
    """A bar trace: bar i of height y[i] at category x[i], filled ``color`` (one colour, or one per
    bar) and outlined by ``line`` (``{"color", "width"}``, none by default); ``hover`` is its
    hovertemplate, ``props`` any other trace property (``text``, ``customdata``, ...)."""
    marker = {"color": color, **({"line": line} if line is not None else {})}
    return {"type": "bar", "name": name, "x": x, "y": y, "marker": marker, "hovertemplate": hover, **props}


def heatmap_trace(z, x, y, bar_title: str, hover: str, **props) -> dict:
    """A heatmap trace: z (R, C) as coloured cells, columns labelled ``x`` (C,), rows ``y`` (R,),
    the colour bar titled ``bar_title``; ``hover`` is its hovertemplate, ``props`` any other trace
    property (``colorscale``, ``zmin``, ...)."""
    return {"type": "heatmap", "z": z, "x": x, "y": y, "colorbar": {"title": {"text": bar_title}},
            "hovertemplate": hover, **props}


def sub(name: str, t) -> str:
    """A variable with its step as Plotly writes it: y<sub>4</sub>, never y_4."""
    return f"{name}<sub>{t}</sub>"


def distribution_spec(trace: StepTrace, vocab: tuple[str, ...], title: str | None = None,
                      max_bars: int = MAX_BARS) -> dict:
    """The next-token distribution of step t as bars, a plain-dict Plotly spec: one bar per token
    (at most ``max_bars`` and the chosen one, then one "others" bar holding the rest of the mass).

    When the pick was drawn from y_t itself: bars are y_t, the chosen token in its colour with a
    dark outline, the others paler. When temperature, top-k or top-p reshaped y_t into q_t: the
    filled bars are q_t (what u was read against; tokens cut away have none) and y_t is drawn on
    top as an outline (grey-filled for the cut tokens), so both distributions are on screen.
    Bars carry token ids as ``customdata`` (-1 for "others") for click-to-force.
    """
    ids = trace.top_ids(max_bars)
    rest = np.setdiff1d(np.arange(len(trace.probs)), ids)
    reshaped = trace.reshaped
    labels = [axis_label(vocab[v]) for v in ids] + [f"others ({len(rest)})"] * bool(len(rest))
    custom = [int(v) for v in ids] + [-1] * bool(len(rest))

    def with_rest(values: np.ndarray) -> list[float]:
        return [float(z) for z in values[ids]] + [float(values[rest].sum())] * bool(len(rest))

    y, q = with_rest(trace.probs), with_rest(trace.q)
    fill = q if reshaped else y
    kept = set(trace.kept)
    # Paleness goes into rgba colours: a per-bar opacity list stops Plotly reporting bar clicks.
    colors = [rgba(token_color(v), 1.0 if v == trace.token_id else 0.45) if v in kept else rgba(GREY, 0.6)
              for v in custom]
    lines = [2.5 if v == trace.token_id else 0 for v in custom]
    digits = 3 if len(custom) <= 8 else 2  # many bars: shorter labels that still fit above them
    name = "q" if reshaped else "y"
    bars = [bar_trace(sub(name, trace.t), labels, fill, f"%{{x}}: {name} = %{{y:.4f}}<extra></extra>", colors,
                      line={"width": lines, "color": "#111827"}, customdata=custom, cliponaxis=False,
                      text=[f"{p:.{digits}f}" if p > 0 else "" for p in fill], textposition="outside",
                      constraintext="none")]  # Plotly would shrink a label to its bar's width: unreadable
    if reshaped:
        outline = [rgba(GREY, 0.6) if v not in kept else "rgba(0, 0, 0, 0)" for v in custom]
        bars.append(bar_trace(sub("y", trace.t), labels, y, "%{x}: y = %{y:.4f}<extra></extra>", outline,
                              line={"width": 1.5, "color": "#374151"}, customdata=custom))
    layout = {"barmode": "overlay", "showlegend": False,
              "xaxis": axis("next token", type="category", automargin=True),
              "yaxis": axis("probability", range=[0, 1.12], automargin=True)}
    return titled({"data": bars, "layout": layout}, title or _distribution_title(trace, reshaped))


def distribution_figure(trace: StepTrace, vocab: tuple[str, ...], title: str | None = None,
                        max_bars: int = MAX_BARS) -> go.Figure:
    """``distribution_spec`` as a figure, for ``st.plotly_chart``."""
    return figure(distribution_spec(trace, vocab, title, max_bars))


# how a pick was made, told
HOW = {"sampled": "sampled", "greedy": "greedy", "forced": "forced by you", "prompt": "from the prompt"}


def _distribution_title(trace: StepTrace, reshaped: bool) -> str:
    """What the bars are and what was chosen, e.g. 'y<sub>4</sub> = softmax(o<sub>4</sub>) · chose “&lt;/s&gt;”
    (sampled)'."""
    t = trace.t
    shown = f"{sub('q', t)} (filled) and {sub('y', t)} (outline)" if reshaped else \
        f"{sub('y', t)} = softmax({sub('o', t)})"
    return f"{shown} · chose “{axis_label(trace.token)}” ({HOW[trace.how]})"


def hidden_spec(trace: StepTrace, title: str | None = None) -> dict:
    """h_{t-1} and h_t per hidden unit on a fixed axis around tanh's range [-1, 1], a plain-dict
    Plotly spec: side by side bars with h_t's values printed (up to ``MAX_LABELLED_UNITS`` units),
    or, past ``MAX_HIDDEN_BARS`` units, a two-row colour strip. The title names the two colours,
    so no legend sits over the bars."""
    t = trace.t
    title = title or (f"hidden state: <span style='color:{H_PREV_COLOR}'>■ {sub('h', t - 1)}</span> → "
                      f"<span style='color:{H_COLOR}'>■ {sub('h', t)}</span>")
    if len(trace.h) > MAX_HIDDEN_BARS:
        return titled(_hidden_strip(trace), title)
    units = [unit_label(i) for i in range(len(trace.h))]
    labelled = len(units) <= MAX_LABELLED_UNITS
    bars = [
        bar_trace(f"h{t - 1}", units, [float(v) for v in trace.h_prev],
                  f"%{{x}}: %{{y:.4f}}<extra>h{t - 1}</extra>", H_PREV_COLOR),
        # a value inside its bar when it fits there (never over the tick labels), else past its end
        # (cliponaxis off, and the axis has room beyond ±1)
        bar_trace(f"h{t}", units, [float(v) for v in trace.h], f"%{{x}}: %{{y:.4f}}<extra>h{t}</extra>", H_COLOR,
                  cliponaxis=False, textposition="auto", constraintext="none", insidetextanchor="middle",
                  **({"text": [f"{v:.3f}" for v in trace.h]} if labelled else {})),
    ]
    layout = {"barmode": "group", "showlegend": False, "xaxis": axis("hidden unit", automargin=True),
              "yaxis": axis("value", range=[-HIDDEN_RANGE, HIDDEN_RANGE], zeroline=True, zerolinecolor="#6b7280",
                            tickvals=[-1, 0, 1], automargin=True)}
    return titled({"data": bars, "layout": layout}, title)


def hidden_figure(trace: StepTrace, title: str | None = None) -> go.Figure:
    """``hidden_spec`` as a figure, for ``st.plotly_chart``."""
    return figure(hidden_spec(trace, title))


def _hidden_strip(trace: StepTrace) -> dict:
    """h_{t-1} and h_t as two rows of coloured cells, one column per unit, on a [-1, 1] scale."""
    t = trace.t
    heat = {"type": "heatmap", "z": [[float(v) for v in trace.h_prev], [float(v) for v in trace.h]],
            "x": list(range(1, len(trace.h) + 1)), "y": [sub("h", t - 1), sub("h", t)], "zmin": -1, "zmax": 1,
            "colorscale": RDBU, "reversescale": True,
            "colorbar": {"thickness": 10, "title": {"text": "value"}},
            "hovertemplate": "%{y}, unit %{x}: %{z:.4f}<extra></extra>"}
    return {"data": [heat], "layout": {"xaxis": axis("hidden unit", automargin=True), "yaxis": {"automargin": True}}}


CAMERAS = {  # eye positions of the 3-D view; None: computed from the path (``facing_eye``)
    "facing the path": None, "corner": dict(x=1.5, y=1.5, z=1.0), "front (units 1 and 3)": dict(x=0, y=-2.3, z=0.1),
    "side (units 2 and 3)": dict(x=2.3, y=0, z=0.1), "top (units 1 and 2)": dict(x=0, y=0.01, z=2.3),
}


def facing_eye(points: np.ndarray, distance: float = 2.6) -> dict:
    """A camera eye looking along the direction in which ``points`` (n, 3) vary least, from above.

    The plane that fits the path best then faces the viewer, so each move is seen close to its
    full length and the points' labels stay apart (a fixed corner view can look straight along
    a move: the seed walk's h_0 = 0 -> h_1 ~ (-.94, -.94, -.95) is the cube's diagonal).
    """
    centred = points - points.mean(axis=0)
    normal = np.linalg.svd(centred)[2][-1]  # right singular vector of the smallest singular value
    if normal[2] < 0:
        normal = -normal
    eye = distance * normal / np.linalg.norm(normal)
    return dict(x=float(eye[0]), y=float(eye[1]), z=float(eye[2]))


def trajectory_figure(traces: list[StepTrace], upto: int, title: str | None = None,
                      camera: str = "facing the path") -> go.Figure:
    """For H = 3: the path h_0, h_1, ..., h_upto inside the cube [-1, 1]^3, labelled by input token,
    each axis one hidden unit (``unit_label``).

    ``camera`` names one of ``CAMERAS``; "facing the path" faces the whole path of ``traces`` (the
    same view at every step, so stepping never turns the cube).
    """
    points = [traces[0].h_prev] + [tr.h for tr in traces[:upto]]
    xyz = np.array(points)
    labels = ["h<sub>0</sub>"] + [f"h<sub>{tr.t}</sub> ({axis_label(tr.input)})" for tr in traces[:upto]]
    colors = ["#6b7280"] + [token_color(tr.input_id) for tr in traces[:upto]]
    path = {"type": "scatter3d", "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2], "mode": "lines+markers+text",
            "text": labels, "marker": {"size": 6, "color": colors}, "line": {"color": H_COLOR, "width": 5},
            "hovertemplate": "%{text}<br>(%{x:.3f}, %{y:.3f}, %{z:.3f})<extra></extra>"}
    eye = CAMERAS[camera] or facing_eye(np.array([traces[0].h_prev] + [tr.h for tr in traces]))
    up = dict(x=0, y=1, z=0) if abs(eye["z"]) > 0.95 * np.linalg.norm(list(eye.values())) else dict(x=0, y=0, z=1)
    scene = {f"{c}axis": axis(unit_label(i), range=[-1, 1], autorange=False) for i, c in enumerate("xyz")}
    layout = {"scene": {**scene, "aspectmode": "cube", "camera": {"eye": eye, "up": up}},
              "uirevision": camera,  # keep the user's rotation while the path grows; a new choice applies
              **frame(title or f"trajectory of h in [-1, 1]³ up to step {upto}", height=420, showlegend=False)}
    return figure({"data": [path], "layout": layout})


def hidden_heatmap(traces: list[StepTrace], upto: int | None = None, title: str | None = None) -> go.Figure:
    """h over steps: rows are hidden units (``unit_label``), columns steps (labelled by input
    token); [-1, 1] scale."""
    shown = traces[: len(traces) if upto is None else upto]
    z = np.array([tr.h for tr in shown]).T  # (H, T)
    heat = heatmap_trace(z, [f"{tr.t}: {axis_label(tr.input)}" for tr in shown],
                         [unit_label(i) for i in range(z.shape[0])], "value of h",
                         "step %{x}<br>%{y} = %{z:.4f}<extra></extra>", zmin=-1, zmax=1, colorscale=RDBU,
                         reversescale=True)
    layout = {"xaxis": axis("step: input token", type="category"), "yaxis": axis("hidden unit", type="category"),
              **frame(title or "hidden state h<sub>t</sub> over steps", height=min(600, 160 + 14 * z.shape[0]),
                      showlegend=False)}
    return figure({"data": [heat], "layout": layout})


def distributions_heatmap(traces: list[StepTrace], vocab: tuple[str, ...], title: str | None = None) -> go.Figure:
    """y_t for every step (rows) over the vocabulary (columns); the chosen token marked with ×."""
    z = np.array([tr.probs for tr in traces])  # (T, V)
    rows = [f"{tr.t}: {axis_label(tr.input)}" for tr in traces]
    cols = [axis_label(v) for v in vocab]
    height = min(700, 160 + 22 * len(rows))
    heat = heatmap_trace(z, cols, rows, "probability", "step %{y} → %{x}: p = %{z:.4f}<extra></extra>",
                         zmin=0, zmax=1, colorscale=BLUES)
    chosen = {"type": "scatter", "x": [cols[tr.token_id] for tr in traces], "y": rows, "mode": "markers",
              "name": "chosen", "hovertemplate": "chosen: %{x}<extra></extra>",
              "marker": {"symbol": "x", "size": max(3, min(11, height // len(rows))), "color": "#d62728",
                         "line": {"width": 1}}}
    layout = {"xaxis": axis("next token", type="category"),
              "yaxis": axis("step: input token", type="category", autorange="reversed"),
              **frame(title or "y<sub>t</sub> at every step (× = chosen)", height=height, showlegend=False)}
    return figure({"data": [heat, chosen], "layout": layout})
