"""ui.common.text.md_literal: any string becomes Markdown source that shows that string, nothing more.

What the browser renders is checked in tests/browser (a hostile model file's name in the sidebar);
here, the source: every Markdown trigger is escaped and the visible characters are unchanged."""

import re
import string

import pytest

from ui.common.text import WORD_JOINER, md_literal, readable

HOSTILE = [
    "![x](http://127.0.0.1:9/img.png)",
    "[click](http://evil.example)",
    "$x$ and $$\\frac{1}{2}$$",
    "**bold** _it_ ~~gone~~ `code`",
    ":red[alert] :material/home:",
    "# heading\n- item\n1. first",
    "<b>tag</b> &amp; </s>",
    "www.evil.example a@b.co https://x.y/z",
    "back\\slash } { | table |",
]


def unescape(md: str) -> str:
    """What CommonMark shows for backslash escapes (a backslash before punctuation is dropped)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md).replace(WORD_JOINER, "")


@pytest.mark.parametrize("text", HOSTILE)
def test_the_shown_text_is_the_original_with_line_breaks_as_spaces(text):
    assert unescape(md_literal(text)) == " ".join(text.splitlines())


def bare_punctuation(md: str) -> list[str]:
    """Punctuation marks of ``md`` that no backslash escapes (read left to right, as CommonMark does)."""
    bare, chars = [], iter(md)
    for c in chars:
        if c == "\\":
            next(chars, None)  # the escaped character
        elif c in string.punctuation:
            bare.append(c)
    return bare


@pytest.mark.parametrize("text", HOSTILE)
def test_no_markdown_trigger_is_left_unescaped(text):
    md = md_literal(text)
    assert bare_punctuation(md) == [], md
    assert "\n" not in md


def test_autodetected_links_are_split_by_an_invisible_joiner():
    md = md_literal("see http://a.b, www.c.d and e@f.g")
    assert "://" not in md.replace("\\", "") and "www." not in md.replace("\\", "")
    assert "e@" not in md.replace("\\", "")


def test_readable_replaces_what_no_page_can_send_and_keeps_the_rest():
    assert readable("caf\udce9 au\x00lait\x1b[31m", 100) == "caf\ufffd au\ufffdlait\ufffd[31m"
    assert readable("tab\tand\nnew line, ünïcödé, 😀", 100) == "tab\tand\nnew line, ünïcödé, 😀"
    assert readable("\ud800\udfff" * 3, 100) == "\ufffd" * 6  # surrogates in a str are never a character


def test_readable_cuts_a_long_text_to_the_limit_with_an_ellipsis():
    assert readable("x" * 1000, 80) == "x" * 79 + "…"
    assert readable("x" * 80, 80) == "x" * 80
