"""Reading an offline replay file (``ui.step_replay.walk_html``) back: its embedded steps, and the
numbers each step's equations show, by name. Shared by the unit, AppTest and browser tests."""

from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser

import numpy as np

DATA = re.compile(r'<script type="application/json" id="walk-data">(.*?)</script>', re.DOTALL)


def walk_data(document: str) -> dict:
    """The JSON the file's script steps through: {"name", "template", "steps": [...]}."""
    (text,) = DATA.findall(document)
    return json.loads(text)


class _Numbers(HTMLParser):
    """Collects the text of every number element (class "n") under each element with a
    ``data-name`` (a vector, a table row, u_t), in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, data-name, is a number)
        self.found: dict[str, list[str]] = {}
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.stack.append((tag, a.get("data-name"), "n" in (a.get("class") or "").split()))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][2]):
            return
        names = [name for _, name, _ in self.stack if name]
        if names:
            self.found.setdefault(names[-1], []).append(data.strip())


def shown_numbers(fragment: str) -> dict[str, list[str]]:
    """{data-name: [number as shown, ...]} of one step's equations HTML."""
    parser = _Numbers()
    parser.feed(fragment)
    return parser.found


def tags_of(fragment: str) -> set[str]:
    parser = _Numbers()
    parser.feed(fragment)
    return parser.tags


def text_of(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, references resolved)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def array_of(values) -> np.ndarray:
    """A Plotly JSON array: a plain list, or Plotly 7's base64 typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.array(values, dtype=float)


def assert_shown(cells: list[str], expected, prec: int, what: str) -> None:
    """Each cell is ``expected``'s value written with exactly ``prec`` decimals, rounded: no more
    than half a unit of the last decimal away (computed here, not by the code under test)."""
    expected = np.asarray(expected, dtype=float)
    assert len(cells) == len(expected), f"{what}: {cells} vs {expected}"
    for cell, v in zip(cells, expected):
        assert re.fullmatch(rf"-?\d+\.\d{{{prec}}}", cell), f"{what}: {cell!r} is not written with {prec} decimals"
        assert abs(float(cell) - v) <= 0.5 * 10 ** -prec + 1e-12, f"{what}: shows {cell}, the trace has {v}"
