"""A token written for each place it is shown: one rule for whitespace, one escape per medium.

A token is any string a corpus produced: ``</s>``, ``<b>``, ``$x$``, ``\\frac``, ``**``, ``}``,
``&``, ``_`` or a space at char level. Each medium reads some of those characters as markup, so
every token passes through one of these functions on its way to the screen:

- ``show_token``: whitespace made visible (a space is ``␣``); the base of all the others.
- ``axis_label``: Plotly titles, ticks, hover and annotations (pseudo-HTML: ``<``, ``>``, ``&``).
- ``html_token``: HTML and SVG text and attribute values.
- ``tex_token``: LaTeX (KaTeX) text mode, in quotes.
- ``md_token``: Markdown (headings, captions, alerts), through ``ui.common.text.md_literal``.
"""

from __future__ import annotations

import html

from ui.common.text import md_literal

WHITESPACE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}
# KaTeX text mode: characters that are commands, or that would turn into curly quotes or dashes
# (`` '' -- are ligatures there; a typewriter quote stays straight, "-{}" stays a hyphen)
_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
             "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
             "`": r"\texttt{`}", "'": r"\texttt{'}", '"': r'\texttt{"}', "-": "-{}"}


def show_token(token: str) -> str:
    """The token with whitespace made visible: ' ' -> '␣', newline -> '⏎', tab -> '⇥'."""
    return "".join(WHITESPACE.get(c, c) for c in token)


def axis_label(token: str) -> str:
    """The token as Plotly text, its whitespace made visible (see ``plotly_text``)."""
    return plotly_text(show_token(token))


def plotly_text(text: str) -> str:
    """Any text as Plotly shows it: Plotly reads labels as HTML, so a bare ``</s>`` would vanish
    as a closing tag ('<', '>' and '&' are escaped), and a label that starts and ends with '$' as
    LaTeX ('$' becomes a character reference, which Plotly shows as '$')."""
    return html.escape(text, quote=False).replace("$", "&#36;")


def html_token(token: str) -> str:
    """The token as HTML or SVG text, safe inside an attribute value too."""
    return html.escape(show_token(token), quote=True)


def tex_token(token: str) -> str:
    """The token as upright KaTeX text in curly quotes, every special character escaped."""
    return r"\text{``" + "".join(_TEX_TEXT.get(c, c) for c in show_token(token)) + "''}"


def md_token(token: str) -> str:
    """The token as Markdown source that shows exactly it (no emphasis, math, links, HTML)."""
    return md_literal(show_token(token))
