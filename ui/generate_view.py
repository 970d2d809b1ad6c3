"""What the Generate page shows, built from ``rnn_core`` traces: no Streamlit here.

A *sample* is one generated path, ``list[StepTrace]`` (one trace per token fed in). Everything
below reads numbers from the traces; the only model call is ``samples`` (``rnn_core.generate``)
and the only reshaping is ``rnn_core.reshape`` on logits a trace already holds.
"""

from __future__ import annotations

import html
import io
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import rnn_core as rc
from rnn_core.sample import traces_json
from ui.charts import H_COLOR, H_PREV_COLOR, axis_label, shown_ids
from ui.token_text import html_token

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


def samples(model: rc.Model, prompt, rule: rc.Rule, max_tokens: int, seed: int, n: int) -> list[list[rc.StepTrace]]:
    """n generated paths; path i is ``rc.generate(..., seed=seed, sample=i)``, so each is
    reproducible on its own and adding samples never changes the earlier ones."""
    return [rc.generate(model, prompt, rule, max_tokens=max_tokens, seed=seed, sample=i) for i in range(n)]


def compare_rules(model: rc.Model, prompt, max_tokens: int, seed: int, n: int,
                  low: float, high: float) -> dict[str, list[list[rc.StepTrace]]]:
    """Greedy, sampling at T=low and at T=high from the same prompt and seed: {label: samples}."""
    rules = {"greedy": rc.GREEDY, f"sample, T = {low:g}": rc.Rule("sample", low),
             f"sample, T = {high:g}": rc.Rule("sample", high)}
    return {label: samples(model, prompt, rule, max_tokens, seed, n) for label, rule in rules.items()}


def p_bin(p: float) -> int:
    """Colour bin 0..9 of a probability (bin 9 holds 0.9 <= p <= 1)."""
    return min(int(p * len(P_BINS)), len(P_BINS) - 1)


def colored_html(traces: list[rc.StepTrace], level: str, head: str = "", small: bool = False) -> str:
    """One sample as HTML: the first input and the prompt's tokens bold, each generated token on a
    background coloured by the probability y_t gave it when chosen; hovering shows p and rank.
    ``head`` (e.g. '#3') is shown before it. Needs ``TOKEN_CSS`` once on the page."""
    sep = "" if level == "char" else " "
    spans = [f'<span class="pr" title="prompt">{html_token(traces[0].input)}</span>']
    for tr in traces:
        if tr.how == "prompt":
            spans.append(f'<span class="pr" title="prompt">{html_token(tr.token)}</span>')
        else:
            tip = html.escape(f"step {tr.t} ({tr.how}): p = {tr.p_token:.4f}, rank {tr.rank}", quote=True)
            spans.append(f'<span class="p{p_bin(tr.p_token)}" title="{tip}">{html_token(tr.token)}</span>')
    classes = " ".join(["gen-text"] + ["char"] * (level == "char") + ["small"] * small)
    head = f'<span class="n">{html.escape(head)}</span>' if head else ""
    return f'<div class="{classes}">{head}{sep.join(spans)}</div>'


def legend_html() -> str:
    """The colour key of ``colored_html``."""
    cells = "".join(f'<span class="p{i}">{i / 10:.1f}–{(i + 1) / 10:.1f}</span>' for i in range(len(P_BINS)))
    return f'<div class="gen-text"><span class="n">p when chosen:</span> <span class="key">{cells}</span></div>'


def distinct_paths(paths: list[list[rc.StepTrace]]) -> list[tuple[list[rc.StepTrace], int]]:
    """Each different token sequence once, in order of first appearance, with how many samples
    gave it (equal tokens mean equal probabilities too: the model is deterministic given them)."""
    groups: dict[tuple[str, ...], list] = {}
    for traces in paths:
        groups.setdefault(tuple(tokens_of(traces)), [traces, 0])[1] += 1
    return [(traces, count) for traces, count in groups.values()]


def tokens_of(traces: list[rc.StepTrace]) -> list[str]:
    """Every token of the path: the first input, then each chosen token."""
    return [traces[0].input] + [tr.token for tr in traces]


def first_unit(traces: list[rc.StepTrace], level: str):
    """The path's first sentence, in the form ``training_units`` uses: word level its tokens up to
    and including the first ``</s>``; char level its text up to the first newline."""
    tokens = tokens_of(traces)
    if level == "char":
        return "".join(tokens).split("\n")[0]
    end = tokens.index(rc.EOS) + 1 if rc.EOS in tokens else len(tokens)
    return tuple(tokens[:end])


def training_units(corpus: rc.Corpus | None) -> set | None:
    """The corpus's sentences (word level, token tuples ending in ``</s>``) or non-empty lines (char
    level); None when the model stores no training text."""
    if corpus is None:
        return None
    if corpus.level == "char":
        return {line for line in corpus.text.splitlines() if line}
    return set(corpus.sentences)


def samples_table(model: rc.Model, paths: list[list[rc.StepTrace]], corpus: rc.Corpus | None) -> pd.DataFrame:
    """One row per sample: its text, how many tokens it generated, whether it ended with ``</s>``,
    whether it reproduces a training sentence (None when no corpus is stored), log p (sum of
    log y_t(chosen) over generated steps) and perplexity exp(-log p / n generated)."""
    units = training_units(corpus)
    rows = []
    for i, traces in enumerate(paths, start=1):
        n = sum(tr.how != "prompt" for tr in traces)
        lp = rc.log_prob(traces)
        rows.append({
            "sample": i,
            "text": rc.text_of(model, traces),
            "tokens generated": n,
            "ends with </s>": traces[-1].token == rc.EOS and traces[-1].how != "prompt",
            "training sentence": None if units is None else first_unit(traces, model.level) in units,
            "log p": lp,
            "perplexity": math.exp(-lp / n),
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


def trace_frame(traces: list[rc.StepTrace], vocab: tuple[str, ...]) -> pd.DataFrame:
    """One row per step: t, input, chosen, how, p, rank, then y_t of every token in a column
    named ``y(token)`` (the prefix keeps a token such as 't' or 'p' from clashing)."""
    probs = np.array([tr.probs for tr in traces])  # (T, V)
    head = pd.DataFrame({
        "t": [tr.t for tr in traces], "input": [tr.input for tr in traces],
        "chosen": [tr.token for tr in traces], "how": [tr.how for tr in traces],
        "p": [tr.p_token for tr in traces], "rank": [tr.rank for tr in traces],
    })
    return pd.concat([head, pd.DataFrame(probs, columns=[f"y({v})" for v in vocab])], axis=1)


def trace_csv(traces: list[rc.StepTrace], vocab: tuple[str, ...]) -> str:
    """``trace_frame`` as CSV; floats written with 17 significant digits so they read back exactly."""
    out = io.StringIO()
    trace_frame(traces, vocab).to_csv(out, index=False, float_format="%.17g")
    return out.getvalue()


def trace_json(model: rc.Model, traces: list[rc.StepTrace]) -> str:
    """The CLI's ``generate --json`` document: {"vocab": [...], "text": ..., "steps": [...]}."""
    return json.dumps(traces_json(model, traces), ensure_ascii=False, allow_nan=False)


def temperature_figure(trace: rc.StepTrace, vocab: tuple[str, ...], T: float) -> go.Figure:
    """y_t (T = 1) beside softmax(o_t / T) for the same step's logits: bars per token."""
    ids = shown_ids(trace)
    q, _ = rc.reshape(trace.logits, rc.Rule("sample", temperature=T))
    labels = [axis_label(vocab[v]) for v in ids]
    fig = go.Figure([
        go.Bar(name="T = 1 (y_t)", x=labels, y=trace.probs[ids], marker_color=H_PREV_COLOR,
               hovertemplate="%{x}: %{y:.4f}<extra>T = 1</extra>"),
        go.Bar(name=f"T = {T:g}", x=labels, y=q[ids], marker_color=H_COLOR,
               text=[f"{p:.3f}" for p in q[ids]], textposition="outside",
               hovertemplate="%{x}: %{y:.4f}<extra>T = " + f"{T:g}" + "</extra>"),
    ])
    fig.update_layout(
        barmode="group", height=340, margin=dict(l=10, r=10, t=46, b=10),
        title=dict(text=f"step {trace.t}: softmax(o_{trace.t} / T) at T = {T:g} vs T = 1", x=0, font=dict(size=16)),
        legend=dict(orientation="h", y=1.02, x=1, xanchor="right"),
    )
    fig.update_yaxes(range=[0, 1.12], title="probability")
    fig.update_xaxes(type="category", title="next token")
    return fig
