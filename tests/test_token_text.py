"""ui/common/text.py, tokens: one token, written for each medium it is shown in.

The expected strings are written out by hand from each medium's rules (Plotly's pseudo-HTML,
HTML, KaTeX text mode, CommonMark); what the browser renders is checked in
tests/browser/test_browser_tokens.py.
"""

import pytest

from ui.common import text as tt

HOSTILE = ["</s>", "<b>", "$x$", "\\frac", "**", "}", "&", "_", " ", "a-b", "'", "%{y}"]


def test_whitespace_is_made_visible():
    assert tt.show_token(" ") == "␣"
    assert tt.show_token("\n") == "⏎" and tt.show_token("\t") == "⇥"
    assert tt.show_token("a b") == "a␣b"
    assert tt.show_token("love") == "love"


@pytest.mark.parametrize("token, plotly", [
    ("</s>", "&lt;/s&gt;"), ("<b>", "&lt;b&gt;"), ("&", "&amp;"), ("$x$", "&#36;x&#36;"), (" ", "␣"),
    ("**", "**"), ("\\frac", "\\frac"),
])
def test_plotly_labels_escape_html_and_the_latex_dollar(token, plotly):
    assert tt.axis_label(token) == plotly


def test_html_escapes_quotes_too():
    assert tt.html_token('<a"x">') == "&lt;a&quot;x&quot;&gt;"
    assert tt.html_token(" ") == "␣"


@pytest.mark.parametrize("token, tex", [
    ("love", r"\text{``love''}"),
    ("</s>", r"\text{``</s>''}"),
    ("$x$", r"\text{``\$x\$''}"),
    ("\\frac", r"\text{``\textbackslash{}frac''}"),
    ("}", r"\text{``\}''}"),
    ("&", r"\text{``\&''}"),
    ("_", r"\text{``\_''}"),
    ("--", r"\text{``-{}-{}''}"),
    ("'", r"\text{``\texttt{'}''}"),
    (" ", r"\text{``␣''}"),
])
def test_tex_tokens_escape_every_special_character_of_text_mode(token, tex):
    assert tt.tex_token(token) == tex


@pytest.mark.parametrize("token", HOSTILE)
def test_markdown_tokens_leave_no_markup_unescaped(token):
    md = tt.md_token(token)
    bare, chars = [], iter(md)
    for c in chars:
        if c == "\\":
            next(chars, None)
        elif c in "*_$`<>[]&{}%'-":
            bare.append(c)
    assert bare == [], md
