"""Autoregressive vs teacher forcing on Step-Through: the generated path beside the training text.

In training (teacher forcing) the model is always fed the true previous token; generating, it is
fed its own picks. "On the training path" is a prefix property: the path is on it while every
token fed so far equals the training text's, and once one differs it never is again.
"""

from __future__ import annotations

import numpy as np

import rnn_core as rc
from rnn_core import StepTrace
from ui.common.text import md_token
from ui.step.equations import num

MISSING = "—"  # past the end of the training sentence


def reference(model: rc.Model, first: str) -> tuple[str, ...] | None:
    """The training text from the first occurrence of ``first`` on (what teacher forcing would
    feed), or None when the model stores no training text or never saw ``first`` there."""
    corpus = model.corpus()
    return None if corpus is None else corpus.continuation(first)


def teacher_rows(model: rc.Model, traces: list[StepTrace], ref: tuple[str, ...]) -> list[dict]:
    """One row per step: what the model was fed and picked, beside the training text's truth.

    ``p(true next)`` is y_t[true next] read from the generated path's own trace at that step (nan
    past the sentence's end); ``on the training path`` is True while every input so far matched.
    Tokens are raw strings (``display_rows`` makes whitespace visible).
    """
    rows, on_path = [], True
    for tr in traces:
        true_in = ref[tr.t - 1] if tr.t - 1 < len(ref) else None
        true_next = ref[tr.t] if tr.t < len(ref) else None
        on_path = on_path and tr.input == true_in
        rows.append({
            "step": tr.t,
            "fed in (x_t)": tr.input,
            "training text here": true_in,
            "model picked": tr.token,
            "p(picked)": tr.p_token,
            "true next": true_next,
            "p(true next)": float(tr.probs[model.vocab.id(true_next)]) if true_next is not None else np.nan,
            "on the training path": on_path,
        })
    return rows


def display_rows(rows: list[dict], prec: int) -> list[dict[str, str]]:
    """``teacher_rows`` for ``st.table``, which reads cells as Markdown: tokens as Markdown that
    shows them (a space as ␣, ``**`` as two stars), probabilities to ``prec`` decimals, ✓ / ✗ for
    the training path, — past the sentence's end."""
    def cell(key: str, value) -> str:
        if key == "on the training path":
            return "✓" if value else "✗"
        if key == "step":
            return str(value)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return MISSING
        return num(value, prec) if isinstance(value, float) else md_token(value)

    return [{key: cell(key, value) for key, value in row.items()} for row in rows]


def markdown_table(rows: list[dict[str, str]]) -> str:
    """``display_rows`` as one Markdown table (one element to send, not a table widget)."""
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row[k] for k in head) + " |" for row in rows])
