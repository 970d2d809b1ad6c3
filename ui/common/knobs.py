"""Widgets for the knobs of a decoding rule, with the ranges, defaults, steps and help of
``rnn_core.limits`` (shared by the Generate page's settings and its rule panels)."""

from __future__ import annotations

import rnn_core as rc
from ui.common.checked_input import checked_number


def knob_help(limit: rc.Limit) -> str:
    """'Keep only the k most probable tokens (0 = off; at most the vocabulary size).'"""
    note = f" ({limit.note})" if limit.note else ""
    return f"{limit.help[0].upper()}{limit.help[1:]}{note}."


def knob_slider(container, limit: rc.Limit, *, key: str, default=None, disabled: bool = False) -> float:
    """A slider over ``limit``'s whole range, with its step, default and help."""
    return container.slider(limit.name.capitalize(), float(limit.low), float(limit.high),
                            float(limit.default if default is None else default), float(limit.step), key=key,
                            disabled=disabled, help=knob_help(limit), persist_state="session")


def top_k_box(container, vocab_size: int, *, key: str, default=None, disabled: bool = False) -> int:
    """Top-k from 0 (off) to the vocabulary size V: a larger k is refused with a message."""
    return checked_number(container, rc.limits.TOP_K, key=key, label="Top-k (0 = off)", default=default,
                          check=lambda k: rc.limits.check_top_k(k, vocab_size), disabled=disabled,
                          help=f"Keep only the k most probable tokens; from 0 (off) to V = {vocab_size:,}.")
