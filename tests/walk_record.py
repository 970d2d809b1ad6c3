"""Reading a described walk (``ui.step.describe``) in tests: its equations' numbers by name, a
piece's text as a reader sees it. Shared by the unit tests, the AppTests and the browser tests."""

from __future__ import annotations

import html
import re


def numbers(source: str, name: str) -> list[str]:
    """The numbers an equation's HTML shows under ``name`` (x, Wx_x, Wh_h, b_h, a, h, o, y, q, u),
    in order, as written."""
    return re.findall(rf'data-name="{name}">([^<]*)<', source)


def text(source: str) -> str:
    """HTML as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", source))


def piece(step: dict, key: str) -> str:
    """One equation of a described step (x, a, h, oy, q, table, pick)."""
    return dict(step["math"])[key]


def table_rows(source: str) -> dict[str, list[str]]:
    """The o/y(/q) table: each row's cells as text, by row name, blocks joined in order."""
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", source):
        cells = [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        rows.setdefault(re.sub(r"\d+$", "", cells[0]) or "head", []).extend(cells[1:])
    return rows
