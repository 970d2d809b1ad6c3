"""Text from outside the app (model files, corpora, uploads, file names) and tokens, shown as text:
the one module that escapes anything for Markdown, HTML, Plotly or LaTeX.

Streamlit renders ``st.markdown``, captions, alerts and headings as Markdown with math, colour
directives and GitHub's link autodetection: a corpus name ``![x](http://host/img.png)`` would make
every visitor's browser fetch that address, ``[link](...)`` would become a link and ``$x$`` math.
``md_literal`` turns any string into Markdown source that shows exactly that string; ``readable``
first repairs what no page can send (a lone surrogate fails Streamlit's UTF-8 encoding of the whole
page) and caps the length.
"""

from __future__ import annotations

import html
import re
import string

WORD_JOINER = "\u2060"  # invisible, and not a line break: splits what link autodetection matches
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# GitHub Markdown turns http://..., www.x and a@b.c into links *after* parsing, escapes or not
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def md_literal(text: str) -> str:
    """Markdown source that renders as ``text`` itself: every ASCII punctuation mark
    backslash-escaped (no links, images, emphasis, math, directives, headings or lists), line
    breaks as spaces, and an invisible word joiner where a link would be autodetected."""
    flat = " ".join(str(text).splitlines())
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, flat))

# lone surrogates (no page can send them as UTF-8) and control characters other than tab and newline
_UNSHOWABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f]")


def readable(text: str, limit: int) -> str:
    """``text`` repaired for display and cut to at most ``limit`` characters: every character no
    page can show (see ``_UNSHOWABLE``) becomes U+FFFD, and a cut ends with "…"."""
    repaired = _UNSHOWABLE.sub("\ufffd", str(text))
    return repaired if len(repaired) <= limit else repaired[: limit - 1] + "…"


MAX_SLUG = 60  # characters of any one part of a file name


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """``text`` safe in a file name on any system: ASCII letters, digits, '.', '=' and '-' only,
    every other run of characters one '-', no leading or trailing dot or dash, at most ``limit``
    characters (a corpus name from a model file can hold '/', '..', spaces, control characters,
    and a thousand characters: file systems refuse names past 255 bytes)."""
    return re.sub(r"[^A-Za-z0-9.=]+", "-", text).strip("-.")[:limit].strip("-.")


# ---------------------------------------------------------------- tokens
# A token written for each place it is shown: one rule for whitespace, one escape per medium.
# 
# A token is any string a corpus produced: ``</s>``, ``<b>``, ``$x$``, ``\\frac``, ``**``, ``}``,
# ``&``, ``_`` or a space at char level. Each medium reads some of those characters as markup, so
# every token passes through one of these functions on its way to the screen:
# 
# - ``show_token``: whitespace made visible (a space is ``␣``); the base of all the others.
# - ``axis_label``: Plotly titles, ticks, hover and annotations (pseudo-HTML: ``<``, ``>``, ``&``).
# - ``html_token``: HTML and SVG text and attribute values.
# - ``tex_token``: LaTeX (KaTeX) text mode, in quotes.
# - ``md_token``: Markdown (headings, captions, alerts), through ``ui.common.text.md_literal``.

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
