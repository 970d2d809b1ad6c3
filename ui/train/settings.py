"""The Train page's settings: the settings suggested for the corpus, shown in one line, and
folded below it one widget per training setting, its default, bounds, choices and help all read
from ``rc.training.SETTING`` (declared once in rnn_core); then the memory the run will need, checked
against the server's budget before anything starts.

A suggestion (``rc.training.suggest_for``) sets the widgets it covers, except the ones the visitor changed
(kept under keys.EDITED, recorded by the widgets' change callbacks): a text edited after a setting was
changed keeps that setting. A new suggestion gets new widgets (their keys carry its version): a
click on Train sent before the browser has shown the new values would otherwise carry the old
ones back, and Streamlit would take them, and call them an edit, over what the script wrote (seen
in the browser tests: "shared words" picked, Train clicked at once, 60 steps trained, not 400)."""

from __future__ import annotations

import math

import streamlit as st

import rnn_core as rc
from ui.common.text import md_literal
from ui.train import keys

ROWS = (("hidden_size", "embed_dim", "optimizer", "lr"), ("steps", "clip", "seed", "batch_size"),
        ("seq_len", "dtype"))
LABELS = {"hidden_size": "hidden size H", "embed_dim": "embedding size E", "clip": "clip gradient norm",
          "dtype": "precision"}  # the others are rnn_core's own labels
STEPS = {"lr": 0.001, "clip": 1.0, "steps": 10}  # what + and - add (1 for the other numbers)
MB = 2**20
ss = st.session_state


def key_of(name: str) -> str:
    """The widget key of setting ``name``; a suggested setting's ends in the suggestion's version."""
    return keys.setting_key(name, ss.get(keys.SUGGESTION_VERSION, 0))


def widget(slot, name: str):
    """The widget of setting ``name`` in ``slot`` (a column): rnn_core's default, bounds or
    choices and help; a suggested setting's change is recorded as the visitor's edit. A bound of
    infinity is no bound."""
    setting, key = rc.training.SETTING[name], key_of(name)
    ss.setdefault(key, setting.default)
    label, help_ = LABELS.get(name, setting.label), setting.help[0].upper() + setting.help[1:] + "."
    edit = dict(on_change=record_edit, args=(name,)) if name in rc.training.Suggestion.names else {}
    if setting.choices:
        return slot.selectbox(label, setting.choices, key=key, help=help_, **edit)
    kind = type(setting.default)  # int or float: Streamlit wants every number of one type
    high = None if setting.high == math.inf else kind(setting.high)
    return slot.number_input(label, min_value=kind(setting.low), max_value=high, step=kind(STEPS.get(name, 1)),
                             format="%g" if kind is float else "%d", key=key, help=help_, **edit)


def record_edit(name: str) -> None:
    """A suggested setting's widget changed by the visitor: keep the value (none if it is the
    suggestion's own, so the next suggestion sets it again)."""
    edited, value = ss.setdefault(keys.EDITED, {}), ss[key_of(name)]
    if value == ss.get(keys.SUGGESTED, {}).get(name):
        edited.pop(name, None)
    else:
        edited[name] = value


def apply_suggestion(suggestion: rc.training.Suggestion) -> None:
    """A new suggestion gets new widgets, starting from its values or the visitor's edits.
    Runs before the widgets are drawn."""
    values, edited = suggestion.values(), ss.get(keys.EDITED, {})
    if ss.get(keys.SUGGESTED) != values:
        ss[keys.SUGGESTED] = values
        renew_widgets()
    for name, value in values.items():
        ss.setdefault(key_of(name), edited.get(name, value))


def renew_widgets() -> None:
    ss[keys.SUGGESTION_VERSION] = ss.get(keys.SUGGESTION_VERSION, 0) + 1


def use_suggestion() -> None:
    """The "use the suggestion" button: the visitor's edits of suggested settings dropped."""
    ss.pop(keys.EDITED, None)
    renew_widgets()


def changed_settings() -> list[str]:
    """The labels of the suggested settings the visitor changed."""
    suggested = ss.get(keys.SUGGESTED, {})
    return [rc.training.SETTING[name].label for name, value in ss.get(keys.EDITED,
                                                                      {}).items() if value != suggested.get(name)]


def settings_line(config: rc.TrainConfig, level: str) -> str:
    """The run's settings in one line of Markdown, e.g. 'H = 64 · E = 16 · 700 steps · …'."""
    piece = "characters" if level == "char" else "tokens"
    return (f"**H = {config.hidden_size} · E = {config.embed_dim} · {config.steps:,} steps · learning rate "
            f"{config.lr:g} · {config.seq_len} {piece} per update · batch {config.batch_size}** "
            f"({config.optimizer}, random seed {config.seed})")


def settings_section(corpus: rc.Corpus | None, where) -> rc.TrainConfig | None:
    """The settings in one line with the suggestion for ``corpus``, drawn in ``where`` (a column
    beside the Train button), the widgets folded below; the TrainConfig they make, or None with
    rnn_core's message."""
    suggestion = rc.training.suggest_for(corpus) if corpus is not None else None
    if suggestion is not None:
        apply_suggestion(suggestion)
    values = {}
    summary = where.container(key=keys.SUMMARY)  # filled once the widgets below have given their values
    with st.expander("⚙ Change the settings"):
        for row in ROWS:
            for slot, name in zip(st.columns(4), row):
                values[name] = widget(slot, name)
    try:
        config = rc.TrainConfig(**values)
    except rc.ConfigError as e:
        st.error(f"Check the settings: {md_literal(e)}")
        return None
    with summary:
        show_summary(config, corpus, suggestion)
    return config


def show_summary(config: rc.TrainConfig, corpus: rc.Corpus | None, suggestion: rc.training.Suggestion | None) -> None:
    """The settings a click on Train uses, and whether they are the suggestion."""
    level = corpus.level if corpus is not None else "word"
    st.markdown(f"Settings: {settings_line(config, level)}")
    if suggestion is None:
        return
    changed = changed_settings()
    if not changed:
        st.caption(f"Suggested for this text. {suggestion.why}")
        return
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.caption(f"You changed the {', '.join(changed)}; the suggestion for this text: {suggestion.why}")
    c2.button("Use the suggestion", key=keys.USE_SUGGESTION, on_click=use_suggestion)


def memory_check(corpus: rc.Corpus, config: rc.TrainConfig) -> bool:
    """Say how much memory the run needs at once; True if it fits the budget, else show the
    core's refusal (what to change) and return False, so the run is refused before it starts."""
    try:
        need = rc.training.check_training_memory(corpus, config)
    except rc.ConfigError as e:
        st.error(f"Too large to train here: {md_literal(e)}")
        return False
    st.caption(f"**Memory:** this run needs about {need.total / MB:,.1f} MB at once, in {need.dtype} "
               f"(the server allows {rc.training.TRAIN_MEMORY_BUDGET / MB:,.0f} MB per run).")
    return True
