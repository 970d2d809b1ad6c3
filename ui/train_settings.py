"""The Train page's settings section: one widget per training setting, its default, bounds,
choices and help all read from ``rc.SETTING`` (declared once in rnn_core), and the memory the
run will need, checked against the server's budget before anything starts."""

from __future__ import annotations

import math

import streamlit as st

import rnn_core as rc
from ui import train_keys as K
from ui.text import md_literal

ROWS = (("hidden_size", "embed_dim", "optimizer", "lr"), ("steps", "clip", "seed", "batch_size"),
        ("seq_len", "dtype"))
LABELS = {"hidden_size": "hidden size H", "embed_dim": "embedding size E", "clip": "clip gradient norm",
          "dtype": "precision"}  # the others are rnn_core's own labels
STEPS = {"lr": 0.001, "clip": 1.0, "steps": 10}  # what + and - add (1 for the other numbers)
MB = 2**20
ss = st.session_state


def widget(slot, name: str):
    """The widget of setting ``name`` in ``slot`` (a column): rnn_core's default, bounds or
    choices and help. A bound of infinity is no bound."""
    setting, key = rc.SETTING[name], K.SETTING_KEYS[name]
    ss.setdefault(key, setting.default)
    label, help_ = LABELS.get(name, setting.label), setting.help[0].upper() + setting.help[1:] + "."
    if setting.choices:
        return slot.selectbox(label, setting.choices, key=key, help=help_)
    kind = type(setting.default)  # int or float: Streamlit wants every number of one type
    high = None if setting.high == math.inf else kind(setting.high)
    return slot.number_input(label, min_value=kind(setting.low), max_value=high, step=kind(STEPS.get(name, 1)),
                             format="%g" if kind is float else "%d", key=key, help=help_)


def settings_section() -> rc.TrainConfig | None:
    """The settings widgets; the TrainConfig they make, or None with rnn_core's message."""
    values = {}
    for row in ROWS:
        for slot, name in zip(st.columns(4), row):
            values[name] = widget(slot, name)
    try:
        return rc.TrainConfig(**values)
    except rc.ConfigError as e:
        st.error(f"Check the settings: {md_literal(e)}")
        return None


def memory_check(corpus: rc.Corpus, config: rc.TrainConfig) -> bool:
    """Say how much memory the run needs at once; True if it fits the budget, else show the
    core's refusal (what to change) and return False, so the run is refused before it starts."""
    try:
        need = rc.check_training_memory(corpus, config)
    except rc.ConfigError as e:
        st.error(f"Too large to train here: {md_literal(e)}")
        return False
    st.caption(f"**Memory:** this run needs about {need.total / MB:,.1f} MB at once, in {need.dtype} "
               f"(the server allows {rc.TRAIN_MEMORY_BUDGET / MB:,.0f} MB per run).")
    return True
