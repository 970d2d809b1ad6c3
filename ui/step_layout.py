"""Step-Through's layout: one whole step on one screen, and equations that fit their box.

A projector is often 1280 x 720. The page trims Streamlit's generous padding and gaps, hides the
clicker keys of Next and Previous (a button takes one shortcut; a twin button holds PageDown or
PageUp, hidden but mounted, so its key still works), and shrinks each equation to its column
when it would not fit at the normal size: its container becomes a CSS size container, and the
KaTeX font size is ``min(normal, 100cqw / estimated width in em)`` with the width estimated by
``ui.step_latex``. Nothing is cut at the right edge, whatever the vocabulary or decimals.
"""

from __future__ import annotations

from typing import Mapping

import streamlit as st

from ui.step_latex import Tex
from ui.step_state import NEXT_TWIN, PREV_TWIN

MATH_EM = 1.21  # KaTeX size of the step's equations, relative to the text (Streamlit's own is 1.21)
SAFETY = 1.06  # the width estimate is rounded up by this much more
HIDDEN_TWINS = (NEXT_TWIN, PREV_TWIN)  # the buttons holding the clicker's keys

PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 3.7rem 1.5rem 4rem 1.5rem; max-width: none; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
.st-key-step_title h1 { font-size: 1.3rem; padding: 0 0 0.2rem 0; line-height: 1.3; }
.st-key-step_math .katex-display { margin: 0.22em 0; }
.st-key-step_loop [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
[data-testid="stPopoverBody"] { width: 27rem; max-width: 95vw; }
[data-testid="stPopoverBody"] [data-testid="stVerticalBlock"] { gap: 0.3rem; }
</style>""".replace("</style>", ", ".join(f".st-key-{key}" for key in HIDDEN_TWINS) + " { display: none; }\n</style>")


# Presenter mode on a screen narrower than this: the equations take the full width, the charts go
# below them (side by side, the enlarged equations would have to shrink back to fit)
PRESENTER_STACK_PX = 1500
PRESENTER_CSS = f"""<style>
@media (max-width: {PRESENTER_STACK_PX}px) {{
  .st-key-step_columns [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  .st-key-step_columns [data-testid="stColumn"] {{ min-width: 100%; }}
}}
</style>"""


def page_css(presenter: bool) -> None:
    """The page's layout rules (sent once per full run; a style-only st.html takes no space)."""
    st.html(PAGE_CSS + (PRESENTER_CSS if presenter else ""))


def fit_style(pieces: Mapping[str, Tex]) -> None:
    """One style element that shrinks each piece of LaTeX (by its container's key) to its box, or
    leaves it at ``MATH_EM``: one for all, since each style element sent restyles the page."""
    rules = []
    for key, tex in pieces.items():
        width = tex.em * SAFETY
        rules.append(f".st-key-{key} {{ container-type: inline-size; }} .st-key-{key} .katex-display > .katex "
                     f"{{ font-size: min({MATH_EM}em, calc(100cqw / {width:.2f})); }}")
    st.html("<style>" + "\n".join(rules) + "</style>")


def keyed_latex(key: str, tex: Tex) -> None:
    """``tex`` in a container with ``key``, the name its rule in ``fit_style`` uses."""
    with st.container(key=key):
        st.latex(tex.source)


def fitted_latex(pieces: Mapping[str, Tex]) -> None:
    """Each piece in its container, shrunk to fit (``fit_style`` and ``keyed_latex``)."""
    fit_style(pieces)
    for key, tex in pieces.items():
        keyed_latex(key, tex)
