"""What the network remembers, as the Train page shows it: how far back the gradient of a loss
reaches (and what scaling W_h does to it), and the text coloured by one hidden unit.

Plain functions of ``rnn_core`` records (no Streamlit): ``reach_figure`` draws a
``rc.analysis.GradientReach``; ``activity_html`` turns a ``rc.analysis.UnitActivity`` into HTML in which every
token is escaped, since the text comes from a corpus or a model file.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

import rnn_core as rc
from ui.common.charts import H_COLOR, H_PREV_COLOR, axis, figure, frame, unit_label
from ui.common.text import axis_label, show_token

REACH_COST = 20_000  # T * H at most for a reach curve: its cost grows as T^2 H^2
REACH_TOKENS = 100  # positions of the what-if sequence (fewer for a large H, see reach_length)
ACTIVITY_TOKENS = 1_500  # tokens of text coloured by a unit (one HTML span each)
DEMO_CORPUS = "known answer: counting a ab abc (char level)"  # text of the untrained char-level demo model
DEMO_CONFIG = dict(hidden_size=32, embed_dim=16, seed=0)
GRAD = "‖∂L<sub>t</sub>/∂h<sub>t−k</sub>‖"  # what a reach curve plots, as Plotly writes it


def reach_length(hidden_size: int, most: int = REACH_TOKENS) -> int:
    """Positions T of a reach curve: at most ``most``, fewer for a large H so one curve costs at
    most about REACH_COST^2 multiply-adds (T^2 H^2), i.e. a fraction of a second."""
    return max(2, min(most, REACH_COST // hidden_size))


def text_tokens(model: rc.Model) -> list[str]:
    """The model's training text as tokens: every character at char level; word level the
    sentences one after another, each ending in </s> (h carries across them here)."""
    corpus = model.corpus()
    if corpus is None:
        return []
    return list(corpus.text) if corpus.level == "char" else [t for s in corpus.sentences for t in s]


def reach_figure(reach: rc.analysis.GradientReach, baseline: rc.analysis.GradientReach | None = None,
                 title: str | None = None) -> go.Figure:
    """||dL_t/dh_{t-k}|| against k = 0..t-1 for the loss at the last step t = T, on a log axis
    (a gradient that vanishes shrinks geometrically). ``baseline`` (another reach over the same
    tokens, e.g. before W_h was scaled) is drawn grey and dashed beneath it."""
    t = len(reach.targets)
    curves = [_curve(reach, f"{GRAD} (W_h scaled)" if baseline is not None else GRAD, H_COLOR)]
    if baseline is not None:
        curves.insert(0, _curve(baseline, "W_h as it is", H_PREV_COLOR, dash="dash"))  # first: drawn beneath
    layout = {"xaxis": axis("k: steps back from t (the gradient reaches h<sub>t−k</sub>)", rangemode="tozero",
                            **({"dtick": 1} if t <= 20 else {})),
              "yaxis": axis(f"{GRAD}, log scale", type="log", exponentformat="power"),
              **frame(title or reach_title(reach), lines=3, height=380, showlegend=baseline is not None,
                      legend=dict(orientation="h", y=1.0, x=1, xanchor="right", yanchor="bottom"))}
    return figure({"data": curves, "layout": layout})


def _curve(reach: rc.analysis.GradientReach, name: str, color: str, dash: str = "solid") -> dict:
    t = len(reach.targets)
    values = [v if math.isfinite(v) and v > 0 else None for v in reach.curve(t)]  # log axis: no 0, inf
    heard = [axis_label(reach.inputs[t - 1 - k]) for k in range(t)]  # h_{t-k} is the state after input t-k
    return {"type": "scatter", "x": list(range(t)), "y": values, "mode": "lines+markers" if t <= 40 else "lines",
            "name": name, "line": {"color": color, "width": 2.5, "dash": dash}, "customdata": heard,
            "hovertemplate": f"k = %{{x}}: h<sub>t−k</sub> after reading “%{{customdata}}”<br>{GRAD} = "
                             "%{y:.3e}<extra></extra>"}


def reach_title(reach: rc.analysis.GradientReach) -> str:
    t = len(reach.targets)
    return (f"gradient of the loss at step t = {t} (predicting “{axis_label(reach.targets[-1])}”)<br>"
            f"with respect to h<sub>t−k</sub> · spectral radius of W<sub>h</sub> = {reach.radius:.3f}")


@dataclass(frozen=True)
class ReachChoice:
    """A model for the vanishing / exploding what-if, and the tokens it reads."""

    label: str
    model: rc.Model
    tokens: tuple[str, ...]  # w_0..w_T


def reach_choices(model: rc.Model) -> list[ReachChoice]:
    """The models the what-if offers, best first: the current model before training (if its
    history starts at step 0) and as trained, on its own text, when it has at least 20 tokens of
    text; and always an untrained char-level model on the counting corpus. Untrained weights
    come first: on trained ones tanh often saturates (1 - h^2 near 0), which keeps the gradient
    small whatever W_h's radius."""
    choices = []
    tokens = tuple(text_tokens(model)[: reach_length(model.config.hidden_size) + 1])
    if len(tokens) > 20:
        if model.checkpoints()[0][0] == 0 and model.steps_trained > 0:
            choices.append(ReachChoice("your model before training (step 0)", model.at_checkpoint(0), tokens))
        choices.append(ReachChoice(f"your model as trained (step {model.steps_trained})", model, tokens))
    demo = rc.training.start_model(rc.training.builtin_corpus(DEMO_CORPUS), rc.TrainConfig(**DEMO_CONFIG))
    text = tuple(rc.training.BUILTINS[DEMO_CORPUS].text[: reach_length(demo.config.hidden_size) + 1])
    choices.append(ReachChoice(f"an untrained char-level model (H = {demo.config.hidden_size}, "
                               "on the counting corpus)", demo, text))
    return choices


# ---------------------------------------------------------------- one hidden unit over the text


def unit_color(value: float) -> str:
    """h in [-1, 1] on the scale every h and weight heatmap of the app uses (RdBu reversed):
    -1 blue, 0 white, +1 red."""
    return sample_colorscale("RdBu", [(1 - float(np.clip(value, -1, 1))) / 2])[0]


def activity_html(activity: rc.analysis.UnitActivity, unit: int, level: str) -> str:
    """The text, each token's background coloured by h_t[unit] after reading it; every token
    HTML-escaped (the text comes from a corpus). Char level keeps the text's own line breaks
    (each shown as ⏎); word level puts a space between tokens and breaks after </s>."""
    spans = []
    for token, h in zip(activity.tokens, activity.h[:, unit]):
        ink = "#ffffff" if abs(h) > 0.6 else "#111827"
        shown = html.escape(show_token(token) if token in ("\n", "\t") else token, quote=False)
        title = html.escape(f"{show_token(token)}: {unit_label(unit)} = {h:+.3f}")
        spans.append(f'<span title="{title}" style="background:{unit_color(h)};color:{ink}">{shown}</span>')
        if token == "\n" or (level == "word" and token == rc.EOS):
            spans.append("<br>")
        elif level == "word":
            spans.append(" ")
    return ('<div style="font-family:ui-monospace,monospace;font-size:1.05rem;line-height:1.9;'
            'white-space:pre-wrap;word-break:break-all">' + "".join(spans) + "</div>")


def activity_legend() -> str:
    """A small bar: blue for h = -1, white for 0, red for +1."""
    stops = ", ".join(unit_color(v) for v in (-1, -0.5, 0, 0.5, 1))
    return ('<div style="display:flex;align-items:center;gap:.5rem;font-size:.9rem">h = −1'
            f'<span style="display:inline-block;width:12rem;height:.9rem;background:linear-gradient(90deg, {stops})">'
            "</span>+1</div>")
