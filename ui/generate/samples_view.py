"""The Samples view: every sample's text coloured by probability, the table, and rules compared.

Samples here are ``rnn_core.StepSummary`` lists (``generate_summary``): the chosen token, its
y_t and rank per step, and no V-long array, so a long list costs a session little memory.
Builders return HTML strings and DataFrames; the ``show_*`` functions draw them.
"""

from __future__ import annotations

import html
from typing import Sequence

import numpy as np
import pandas as pd
import streamlit as st

import rnn_core as rc
from ui.common.checked_input import checked_number
from ui.common.session import cached
from ui.common.text import html_token
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

Path = Sequence[rc.decoding.StepSummary]  # one sample; full StepTraces work as well
MAX_COLORED = 10_000  # coloured tokens drawn at most: past that the HTML slows the browser
COMPARED = 10  # samples per rule in the comparison
RULES_COMPARED = 3  # greedy, and sampling at a low and a high T
# Light backgrounds (dark text stays readable on a projector): unlikely picks warm, likely green.
P_BINS = ("#f8b4b4", "#f9c9a8", "#fbdca0", "#fcea9c", "#f4f1a0", "#e2f0a4", "#cdeaa9", "#b8e3ae",
          "#a6dcb2", "#94d4b6")
TOKEN_CSS = (
    "<style>.gen-text{line-height:1.9;margin:0 0 .3rem 0}"
    # char level: spaces are tokens (keep their width), and a line may break between any two
    ".gen-text.char{font-family:ui-monospace,monospace;word-break:break-all}"
    ".gen-text.small{font-size:.85em}"
    ".gen-text span{white-space:pre-wrap;border-radius:3px;padding:1px 3px}"
    ".gen-text .pr{font-weight:600;border-bottom:2px solid #9aa5b1}"
    ".gen-text .n{color:#6b7280;font-size:.8em;display:inline-block;min-width:2.4em}"
    ".gen-text .key span{margin-right:2px;font-size:.8em}"
    + "".join(f".gen-text .p{i}{{background:{c}}}" for i, c in enumerate(P_BINS))
    + "</style>"
)


def p_bin(p: float) -> int:
    """Colour bin 0..9 of a probability (bin 9 holds 0.9 <= p <= 1)."""
    return min(int(p * len(P_BINS)), len(P_BINS) - 1)


def colored_html(steps: Path, level: str, head: str = "", small: bool = False) -> str:
    """One sample as HTML: the first input and the prompt's tokens bold, each generated token on a
    background coloured by the probability y_t gave it when chosen; hovering shows p and rank.
    ``head`` (e.g. '#3') is shown before it. Needs ``TOKEN_CSS`` once on the page."""
    sep = "" if level == "char" else " "
    spans = [f'<span class="pr" title="prompt">{html_token(steps[0].input)}</span>']
    for s in steps:
        if s.how == "prompt":
            spans.append(f'<span class="pr" title="prompt">{html_token(s.token)}</span>')
        else:
            tip = html.escape(f"step {s.t} ({s.how}): p = {s.p_token:.4f}, rank {s.rank}", quote=True)
            spans.append(f'<span class="p{p_bin(s.p_token)}" title="{tip}">{html_token(s.token)}</span>')
    classes = " ".join(["gen-text"] + ["char"] * (level == "char") + ["small"] * small)
    head = f'<span class="n">{html.escape(head)}</span>' if head else ""
    return f'<div class="{classes}">{head}{sep.join(spans)}</div>'


def legend_html() -> str:
    """The colour key of ``colored_html``."""
    cells = "".join(f'<span class="p{i}">{i / 10:.1f}–{(i + 1) / 10:.1f}</span>' for i in range(len(P_BINS)))
    return f'<div class="gen-text"><span class="n">p when chosen:</span> <span class="key">{cells}</span></div>'


def distinct_paths(paths: Sequence[Path]) -> list[tuple[Path, int]]:
    """Each different token sequence once, in order of first appearance, with how many samples
    gave it (equal tokens mean equal probabilities too: the model is deterministic given them)."""
    groups: dict[tuple[str, ...], list] = {}
    for steps in paths:
        groups.setdefault(tuple(rc.analysis.path_tokens(steps)), [steps, 0])[1] += 1
    return [(steps, count) for steps, count in groups.values()]


def samples_table(model: rc.Model, paths: Sequence[Path], corpus: rc.Corpus | None) -> pd.DataFrame:
    """One row per sample: its text, how many tokens it generated, whether it ended with ``</s>``,
    whether it reproduces a training sentence (None when no corpus is stored), log p (sum of
    log y_t(chosen) over generated steps) and perplexity exp(-log p / n generated)."""
    units = None if corpus is None else set(corpus.lines())
    rows = []
    for i, steps in enumerate(paths, start=1):
        n = sum(s.how != "prompt" for s in steps)
        lp = rc.decoding.log_prob(steps)
        rows.append({
            "sample": i,
            "text": rc.decoding.text_of(model, steps),
            "tokens generated": n,
            "ends with </s>": rc.decoding.ends_with_eos(steps),
            "training sentence": (None if units is None
                                  else rc.training.first_sentence_of(rc.analysis.path_tokens(steps),
                                                                     model.level) in units),
            "log p": lp,
            "perplexity": rc.analysis.perplexity(-lp / n),
        })
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> dict:
    """Across samples: distinct texts, training sentences reproduced (None if unknown), mean length."""
    known = table["training sentence"].notna().all()
    return {
        "samples": len(table),
        "distinct": int(table["text"].nunique()),
        "reproduced": int(table["training sentence"].sum()) if known else None,
        "mean length": float(table["tokens generated"].mean()),
    }


def compare_rules(model: rc.Model, s: generate_state.Settings, n: int, low: float, high: float) -> dict[str,
                                                                                                        list[Path]]:
    """Greedy, sampling at T = low and at T = high, from the same prompt and seed: {label: samples},
    sample i of each sampling rule meeting the same random numbers."""
    rules = {"greedy": rc.GREEDY, f"sample, T = {low:g}": rc.Rule("sample", low),
             f"sample, T = {high:g}": rc.Rule("sample", high)}
    return {label: [rc.decoding.generate_summary(model, s.prompt, rule, max_tokens=s.max_tokens, seed=s.seed, sample=i)
                    for i in range(n)] for label, rule in rules.items()}


def text_box(n_paths: int, n_tokens: int):
    """A container for coloured texts: a scrolling box of its own when the list is long."""
    return st.container(height=480) if n_paths > 12 or n_tokens > 1000 else st.container()


def show_texts(paths: Sequence[Path], level: str) -> None:
    """Every sample, numbered (up to MAX_COLORED tokens in all); a long list scrolls in its own box."""
    sizes = np.cumsum([len(p) for p in paths])
    shown = max(1, int(np.searchsorted(sizes, MAX_COLORED, side="right")))
    box = text_box(len(paths), int(sizes[-1]))
    box.markdown(TOKEN_CSS + legend_html() + "".join(
        colored_html(p, level, f"#{i}") for i, p in enumerate(paths[:shown], start=1)), unsafe_allow_html=True)
    if shown < len(paths):
        box.caption(f"Samples #{shown + 1}–#{len(paths)} are in the table below: colouring stops at "
                    f"{MAX_COLORED:,} tokens to keep the page quick.")


def show_summary(table: pd.DataFrame) -> None:
    """Distinct texts, training sentences reproduced and mean length, then the table."""
    s = summary(table)
    c1, c2, c3 = st.columns(3)
    c1.metric("Distinct texts", f"{s['distinct']} of {s['samples']}")
    if s["reproduced"] is None:
        c2.metric("Training sentence reproduced", "unknown")
        c2.caption("This model stores no training text to compare with.")
    else:
        c2.metric("Training sentence reproduced", f"{s['reproduced']} of {s['samples']}",
                  help="The text up to the first </s> (char level: newline) is exactly a training sentence.")
    c3.metric("Mean tokens generated", f"{s['mean length']:.1f}")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "log p": st.column_config.NumberColumn(format="%.3f", help="sum of log y_t(chosen) over generated steps"),
        "perplexity": st.column_config.NumberColumn(format="%.3f", help="exp(-log p / tokens generated)"),
    })


def show_compare(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """Greedy and sampling at a low and a high temperature, side by side, same prompt and seed."""
    c1, c2, _ = st.columns([1, 1, 2])
    low = checked_number(c1, rc.limits.TEMPERATURE, key=generate_keys.LOW_T, label="Low T", default=0.5)
    high = checked_number(c2, rc.limits.TEMPERATURE, key=generate_keys.HIGH_T, label="High T", default=1.5)
    fits = generate_state.affordable(generate_state.prompt_steps(model, s) + s.max_tokens,
                                     len(model.vocab)) // RULES_COMPARED
    n = max(1, min(s.n, COMPARED, fits))  # a large vocabulary compares fewer samples (generate_state.MAX_WORK)
    st.caption(f"{n} samples per rule from the same prompt and seed; equal texts are shown once "
               "with how many samples gave them (n×).")
    runs = cached(generate_keys.COMPARE, (s.key(version), n, low, high), lambda: compare_rules(model, s, n, low, high))
    for col, (label, paths) in zip(st.columns(3), runs.items()):
        with col:
            table = samples_table(model, paths, None)
            st.markdown(f"**{label}**: {table['text'].nunique()} distinct of {len(paths)}, "
                        f"mean perplexity {table['perplexity'].mean():.2f}")
            groups = distinct_paths(paths)
            html_ = "".join(colored_html(p, model.level, f"{count}×", small=True) for p, count in groups)
            text_box(len(groups), sum(len(p) for p, _ in groups)).markdown(TOKEN_CSS + html_, unsafe_allow_html=True)
