"""The feedback loop drawn: the network unrolled over steps 1..t as an SVG diagram.

Each step is a column: x_s (the token fed in) at the bottom, h_s in the middle, y_s's top choice
with its probability on top. Arrows: x_s -> h_s -> y_s, h_{s-1} -> h_s, and the pick of step s
curving down into the next column's x_{s+1}: the output becomes the input. The current step is
highlighted; later steps are not drawn, except the next input (dashed) once step t's pick is
shown. Plain SVG text, every token escaped (``ui.token_text.html_token``).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from rnn_core import StepTrace
from ui.token_text import html_token

WINDOW = 6  # steps drawn at most: the latest ones (a longer walk starts with "…")
COL_W, H0_W, HEIGHT = 130, 76, 140  # viewBox units
BOX_W = 106
Y_BOX, H_BOX, X_BOX = (4, 38), (56, 82), (102, 136)  # (top, bottom) of each row of boxes
MAX_CHARS = 9  # longer tokens are cut with "…" in the boxes
INK, MUTED, LINK, PICK, CURRENT = "#111827", "#6b7280", "#1f5fbf", "#d9480f", "#fff1e0"
STYLE = "width:100%;height:auto;max-height:8.5rem;display:block;font-family:'Source Sans Pro',sans-serif"


def _short(token: str) -> str:
    """The token for a box: whitespace visible, at most MAX_CHARS characters, escaped."""
    return html_token(token if len(token) <= MAX_CHARS else token[: MAX_CHARS - 1] + "…")


def _box(cx: float, rows: tuple[int, int], label: str, text: str, *, dashed: bool = False,
         weight: str = "600") -> str:
    """A rounded box with an optional small label at its top left and a centred line of text."""
    top, bottom = rows
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    mid = (top + bottom) / 2 + (5 if label else 0)
    parts = [f'<rect x="{cx - BOX_W / 2:g}" y="{top}" width="{BOX_W}" height="{bottom - top}" rx="6" '
             f'fill="#ffffff" stroke="{MUTED}" stroke-width="1.2"{dash}/>']
    if label:
        parts.append(f'<text x="{cx - BOX_W / 2 + 5:g}" y="{top + 11}" font-size="11" fill="{MUTED}">{label}</text>')
    parts.append(f'<text x="{cx:g}" y="{mid + 5:g}" font-size="15" font-weight="{weight}" fill="{INK}" '
                 f'text-anchor="middle">{text}</text>')
    return "\n".join(parts)


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{LINK}" stroke-width="1.6" '
            f'marker-end="url(#step-loop-head)"/>')


def _pick_arrow(x1: float, x2: float, label: str) -> str:
    """From step s's y box down into step s+1's x box, labelled with how the token was chosen."""
    y1, y2 = Y_BOX[1] - 4, X_BOX[0] + 2
    path = f"M{x1:g},{y1} C{x1 + 40:g},{y1 + 34} {x2 - 40:g},{y2 - 44} {x2:g},{y2}"
    return (f'<path d="{path}" fill="none" stroke="{PICK}" stroke-width="1.8" stroke-dasharray="6 3" '
            f'marker-end="url(#step-loop-pick)"/>\n'
            f'<text x="{(x1 + x2) / 2 + 6:g}" y="{X_BOX[0] - 8}" font-size="11" fill="{PICK}">{label}</text>')


def _column(tr: StepTrace, cx: float, vocab: tuple[str, ...], current: bool, revealed: bool) -> list[str]:
    """Step t's column: x_t, h_t, y_t's top choice (or "?"), and the arrows between them."""
    parts = []
    if current:
        parts.append(f'<rect x="{cx - COL_W / 2 + 3:g}" y="1" width="{COL_W - 6}" height="{HEIGHT - 2}" rx="10" '
                     f'fill="{CURRENT}" stroke="{PICK}" stroke-width="1.5"/>')
    parts.append(_box(cx, X_BOX, f"x{tr.t}", f"“{_short(tr.input)}”"))
    parts.append(_box(cx, H_BOX, "", f"h{tr.t}", weight="400"))
    if revealed:
        top = int(np.argmax(tr.probs))
        parts.append(_box(cx, Y_BOX, f"y{tr.t} top", f"“{_short(vocab[top])}” {tr.probs[top]:.2f}"))
    else:
        parts.append(_box(cx, Y_BOX, f"y{tr.t}", "?", dashed=True))
    parts += [_arrow(cx, X_BOX[0], cx, H_BOX[1] + 3), _arrow(cx, H_BOX[0], cx, Y_BOX[1] + 3)]
    return parts


def _how(tr: StepTrace, forks: Mapping[int, int]) -> str:
    if tr.t in forks:
        return "✋ forced"
    return {"prompt": "prompt", "greedy": "argmax", "sampled": "sampled"}.get(tr.how, tr.how)


def loop_svg(traces: list[StepTrace], step: int, vocab: tuple[str, ...], revealed: bool = True,
             forks: Mapping[int, int] | None = None) -> str:
    """The unrolled network up to ``step`` as SVG markup, for ``st.markdown(...,
    unsafe_allow_html=True)`` (one tag per line and no blank line, so Markdown passes it through).

    ``revealed`` is False while the class is guessing step's pick: its y box shows "?" and no pick
    arrow leaves it. Forced picks (``forks``, {step: token id}) are marked ✋. At most ``WINDOW``
    steps are drawn, the latest ones; the viewBox is the same at every step, so the drawing keeps
    its scale while the walk grows.
    """
    forks = forks or {}
    first = max(1, step - WINDOW + 1)
    width = H0_W + (WINDOW + 1) * COL_W
    parts = [f'<svg class="step-loop" style="{STYLE}" viewBox="0 0 {width} {HEIGHT}" '
             'preserveAspectRatio="xMinYMid meet" xmlns="http://www.w3.org/2000/svg" role="img">',
             f"<title>The network unrolled over steps {first} to {step}</title>",
             "<defs>",
             f'<marker id="step-loop-head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             f'<path d="M0,0 L8,4 L0,8 z" fill="{LINK}"/></marker>',
             f'<marker id="step-loop-pick" markerWidth="9" markerHeight="9" refX="8" refY="4.5" orient="auto">'
             f'<path d="M0,0 L9,4.5 L0,9 z" fill="{PICK}"/></marker>',
             "</defs>"]
    h0 = "h0 = 0" if first == 1 else f"… h{first - 1}"
    parts.append(f'<text x="{H0_W / 2:g}" y="{(H_BOX[0] + H_BOX[1]) / 2 + 5:g}" font-size="14" fill="{MUTED}" '
                 f'text-anchor="middle">{h0}</text>')
    for s in range(first, step + 1):
        tr = traces[s - 1]
        cx = H0_W + (s - first + 0.5) * COL_W
        shown = revealed or s < step
        parts += _column(tr, cx, vocab, current=s == step, revealed=shown)
        start = H0_W - 4 if s == first else cx - COL_W + BOX_W / 2  # h_0's label, or h_{s-1}'s box
        hy = (H_BOX[0] + H_BOX[1]) / 2
        parts.append(_arrow(start, hy, cx - BOX_W / 2 - 2, hy))
        if shown:
            parts += _next_input(tr, cx, step, traces, forks)
    parts.append("</svg>")
    return "\n".join(parts)


def _next_input(tr: StepTrace, cx: float, step: int, traces: list[StepTrace], forks: Mapping[int, int]) -> list[str]:
    """The pick of step t as the next column's input: an arrow into x_{t+1}; drawn dashed (with
    "end" when the path stops there) when t is the current step."""
    nx = cx + COL_W
    parts = [_pick_arrow(cx + BOX_W / 2 - 16, nx - BOX_W / 2 + 14, _how(tr, forks))]
    if tr.t == step:
        label = "end" if tr.t == len(traces) else f"x{tr.t + 1}"  # </s> or the length limit
        parts.append(_box(nx, X_BOX, label, f"“{_short(tr.token)}”", dashed=True))
    return parts
