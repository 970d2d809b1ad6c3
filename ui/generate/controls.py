"""The Generate page's settings widgets. Every range, default and step comes from
``rnn_core.limits`` (the same as Step-Through and the CLI); number boxes refuse out-of-range
entries with a visible message (``ui.common.checked_input``)."""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.common.checked_input import checked_number
from ui.common.knobs import knob_slider, top_k_box
from ui.common.text import md_literal
from ui.common.theme import columns, is_presenter
from ui.common.time_travel import weights_slider
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

LIMITS = rc.limits
SLIDER_KNOBS = (LIMITS.TEMPERATURE, LIMITS.TOP_P, LIMITS.MIN_P, LIMITS.TYPICAL_P, LIMITS.REPETITION_PENALTY)


def rule_knobs(model: rc.Model, greedy: bool) -> dict:
    """One row: temperature, top-k, top-p, min-p, typical-p (the order they act in), then the
    repetition penalty (which acts on o_t before them all); returns {Rule field: value}."""
    cols = columns(6)
    values = {}
    for col, limit in zip(cols[:1] + cols[2:], SLIDER_KNOBS):
        values[limit.key] = knob_slider(col, limit, key=generate_keys.KNOBS[limit.key],
                                        disabled=greedy and limit is not LIMITS.REPETITION_PENALTY)
    values["top_k"] = top_k_box(cols[1], len(model.vocab), key=generate_keys.KNOBS["top_k"], disabled=greedy)
    return values


def settings_summary(model: rc.Model, version: int) -> str:
    """The folded settings box's label: what the page shows (the widgets' values as this run
    starts, their defaults before the first run), so the box can stay folded on a projector."""
    ss = st.session_state
    prompt = ss.get(generate_keys.PROMPT.format(version=version), model.first_word())
    rule = "greedy"
    if ss.get(generate_keys.RULE, "sample") == "sample":
        knobs = {key: ss.get(generate_keys.KNOBS[key], LIMITS.BY_KEY[key].default) for key in generate_keys.KNOBS}
        try:
            rule = rc.Rule("sample", **knobs).describe()
        except rc.ConfigError:  # a value the box is about to refuse: its message says so
            rule = "sample"
    n = ss.get(generate_keys.N, 10)
    weights = ss.get(generate_keys.WEIGHTS.format(version=version), model.steps_trained)
    return (f"⚙ Settings · prompt “{md_literal(prompt)}” · {md_literal(rule)} · {n} sample{'s' * (n != 1)} · "
            f"weights after step {weights:,}")


def controls(model: rc.Model, version: int) -> tuple[generate_state.Settings, rc.Model]:
    """The settings widgets in an expander a presenter can fold away, three rows (prompt and run;
    the rule's knobs; the weights); returns the page's ``Settings`` and the model with the chosen
    weights."""
    with st.expander(settings_summary(model, version), expanded=False, key=generate_keys.SETTINGS_OPEN):
        c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2]) if not is_presenter() else columns(5)
        unit = "words" if model.level == "word" else "characters"
        prompt = c1.text_input(f"Prompt (one or more {unit})", value=model.first_word(),
                               key=generate_keys.PROMPT.format(version=version), persist_state="session",
                               help=f"Fed in as given; generation continues after its last token. "
                                    f"At most {LIMITS.PROMPT_TOKENS.high:,} tokens.")
        strategy = c2.radio("Rule", ["sample", "greedy"], key=generate_keys.RULE, persist_state="session",
                            help="greedy: always the most probable token. sample: draw from q_t, y_t reshaped "
                                 "by the knobs below.")
        n = c3.slider("Number of samples", 1, generate_state.MAX_SAMPLES, 10, key=generate_keys.N,
                      persist_state="session")
        seed = checked_number(c4, LIMITS.SEED, key=generate_keys.SEED, label="Random seed",
                              help="Sample #i draws u_t from rnn_core.draws(random seed, i - 1): each sample has "
                                   "its own reproducible random numbers.")
        max_tokens = checked_number(c5, LIMITS.MAX_TOKENS, key=generate_keys.MAX_TOKENS.format(level=model.level),
                                    label="Max tokens", default=LIMITS.default_max_tokens(model.level),
                                    help=f"{LIMITS.MAX_TOKENS.help[0].upper()}{LIMITS.MAX_TOKENS.help[1:]}; "
                                         f"{LIMITS.MAX_TOKENS.range_text()}. By default a sentence: "
                                         f"{LIMITS.default_max_tokens('word')} words or "
                                         f"{LIMITS.default_max_tokens('char')} characters.")
        knobs = rule_knobs(model, greedy=strategy == "greedy")
        weighted, weights = weights_slider(model, key=generate_keys.WEIGHTS.format(version=version))
    # greedy ignores every knob but the penalty: leaving them out keeps its samples cached
    rule = rc.Rule("greedy", repetition_penalty=knobs["repetition_penalty"]) if strategy == "greedy" \
        else rc.Rule("sample", **knobs)
    return generate_state.Settings(prompt, rule, int(max_tokens), int(n), int(seed), weights), weighted
