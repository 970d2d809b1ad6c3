"""A number box for one ``rnn_core.limits`` setting that says why it refuses a value.

Streamlit's ``st.number_input(min_value=..., max_value=...)`` silently clamps or ignores a typed
value outside its range, so a user who types top-k 99 never learns why the page still uses 3.
``checked_number`` draws the box without Streamlit's bounds, checks every new value with
``rnn_core`` (the same check as the CLI and the URL parsers) and, for a value it refuses, puts the
last accepted value back in the box and shows rnn_core's message under it.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

import rnn_core as rc
from ui.common.text import md_literal

LAST, REFUSED = "checked_last", "checked_refused"  # {widget key: last accepted value / why refused}


def _accept(key: str, check: Callable) -> None:
    """on_change: keep the new value if ``check`` accepts it; else restore the last one."""
    ss = st.session_state
    last, refused = ss.setdefault(LAST, {}), ss.setdefault(REFUSED, {})
    try:
        check(ss[key])
    except rc.ConfigError as e:
        refused[key] = f"{e} Still using {last[key]:g}."
        ss[key] = last[key]
        return
    last[key] = ss[key]
    refused.pop(key, None)


def checked_number(container, limit: rc.Limit, *, key: str, label: str, check: Callable | None = None,
                   default=None, help: str | None = None, disabled: bool = False):
    """The value of a number box for ``limit`` (drawn in ``container``), always one ``check``
    accepts (default ``limit.check``; e.g. ``rc.limits.check_top_k`` with V for top-k).

    ``default``: the first value (``limit.default`` if None). A kept value that ``check`` now
    refuses (a smaller vocabulary after a new model) goes back to ``default``, with a message.
    """
    check = check or limit.check
    ss = st.session_state
    last, refused = ss.setdefault(LAST, {}), ss.setdefault(REFUSED, {})
    start = limit.default if default is None else default
    value = ss.setdefault(key, start)
    try:
        check(value)
    except rc.ConfigError as e:
        refused[key] = f"{e} Back to {start:g}."
        ss[key] = value = start
    last[key] = value
    number = int if limit.integer else float
    container.number_input(label, step=number(limit.step), key=key, on_change=_accept, args=(key, check),
                           help=help or f"{limit.help[0].upper()}{limit.help[1:]}; {limit.range_text()}.",
                           disabled=disabled, persist_state="session")
    if key in refused:
        container.warning(md_literal(refused[key]), icon="⚠️")
    return ss[key]
