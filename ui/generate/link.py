"""The Generate page's link keys, checked before any widget reads them, and its view bound to
the query string.

A link (a slide, a bookmark, a hand-edited URL) may carry a key with an empty or unknown value
(``/generate?view=``), or the same key many times. Each key keeps its first allowed value, every
other value of it is dropped from the query string, and the page says so once, in one warning
that lists the first few entries it dropped and how many there were, however many there are.
Keys the page does not own (``model``, ``big``, another page's) are left alone.
"""

from __future__ import annotations

import streamlit as st

from ui.common.text import md_literal

SHOWN = 3  # dropped entries listed by name in the warning
SHOWN_CHARS = 30  # of each dropped value


def checked_values(values: list[str], allowed: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """(the value a key keeps: its first allowed one, or None; the values dropped, in order)."""
    kept = next((v for v in values if v in allowed), None)
    return kept, [v for v in values if v != kept]


def short(value: str) -> str:
    """'Bogus', '' or 'aaaa…' (quoted, cut to SHOWN_CHARS characters)."""
    return repr(value[:SHOWN_CHARS]) + ("…" if len(value) > SHOWN_CHARS else "")


def warning_text(dropped: list[tuple[str, str]], allowed: dict[str, tuple[str, ...]],
                 fallback: dict[str, str]) -> str:
    """One sentence for every dropped (key, value): the first SHOWN of them, the count, and what
    each key uses instead."""
    names = ", ".join(f"{key}={short(value)}" for key, value in dropped[:SHOWN])
    more = f" and {len(dropped) - SHOWN:,} more" if len(dropped) > SHOWN else ""
    what = "an entry the page cannot use, so it is" if len(dropped) == 1 else \
        f"{len(dropped):,} entries the page cannot use, so they are"
    keys = sorted({key for key, _ in dropped})
    instead = "; ".join(f"{key} is one of {', '.join(allowed[key])}; showing {fallback[key]}" for key in keys)
    return f"This link has {what} ignored: {names}{more} ({instead})."


def check_link(allowed: dict[str, tuple[str, ...]], defaults: dict[str, str]) -> dict[str, str | None]:
    """Each key of ``allowed`` keeps its first allowed value in the query string (or leaves it),
    and one warning names every value dropped. Returns {key: the value kept, or None}."""
    dropped, kept_values, shown_instead = [], {}, {}
    for key, choices in allowed.items():
        kept, bad = checked_values(st.query_params.get_all(key), choices)
        kept_values[key] = kept
        if not bad:
            continue
        dropped += [(key, value) for value in bad]
        shown_instead[key] = kept or defaults[key]
        if kept is None:
            del st.query_params[key]
        else:
            st.query_params[key] = kept
    if dropped:
        st.warning(md_literal(warning_text(dropped, allowed, shown_instead)), icon="⚠️")
    return kept_values


def follow_link(key: str, linked: str | None, default: str) -> None:
    """Before drawing widget ``key`` (bound by hand to the query key of the same name): its value
    is the link's when there is one, else what the session had, else ``default``. (Streamlit's
    own ``bind="query-params"`` reads the link before any check, and turns ``?view=`` into no
    value at all, even for a widget that requires one.)"""
    st.session_state[key] = linked or st.session_state.get(key, default)


def write_link(key: str) -> None:
    """on_change of a widget bound by hand: its new value goes into the query string."""
    st.query_params[key] = st.session_state[key]
