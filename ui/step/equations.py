"""One step's equations with their live numbers, written once as HTML for the walk's renderer.

Step-Through's step area and the offline replay file both show these pieces (``ui.step.walk``):
x_t, a_t = W_x x_t + W_h h_{t-1} + b_h with its three terms, h_t, o_t and y_t, q_t when a rule
reshaped y_t, the o/y(/q) table and the pick. Every number is read from the step's
``StepTrace`` (and ``rnn_core.kept_mass``, ``rnn_core.slices``), rounded to the chosen decimals
here and nowhere else; every token is escaped once (``ui.common.text.html_token``). HTML rather than
KaTeX: the offline file must open with no fonts or scripts fetched, and one notation serves both.

Each piece is ``(key, html)``; the key names the piece for the renderer's layout and for tests,
and every number sits in an element with ``data-name`` (x, Wx_x, Wh_h, b_h, a, h, o, y, q, u).
"""

from __future__ import annotations

import math

import numpy as np

import rnn_core as rc
from rnn_core import StepTrace
from ui.common.text import html_token

COLUMN_ROWS = 5  # a column vector longer than this shows its first entries, a ⋮ and the last
ROW_ENTRIES = 6  # a row vector longer than this shows its first entries, a … and the last
TABLE_COLUMNS = 12  # o_t / y_t table: up to this many columns (past it, the top tokens and "others")
BLOCK_COLUMNS = 6  # columns per block of the table; a wider table is written as blocks one below another


def num(v: float, prec: int) -> str:
    """v rounded to ``prec`` decimals, never "-0.000"."""
    s = f"{float(v):.{prec}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def max_tokens(V: int) -> int:
    """How many tokens the table (and the step's chart) names: all of a vocabulary of up to
    ``TABLE_COLUMNS``; else the most probable ones, so that with the chosen one and "others"
    there are at most ``TABLE_COLUMNS`` columns."""
    return V if V <= TABLE_COLUMNS else TABLE_COLUMNS - 2


# ---------------------------------------------------------------- notation


def var(name: str, sub: str | int = "") -> str:
    """A variable: 'W', 'x' -> <i>W</i><sub>x</sub>."""
    return f'<span class="v"><i>{name}</i>' + (f"<sub>{sub}</sub>" if sub != "" else "") + "</span>"


def quoted(token: str) -> str:
    """A token in curly quotes, whitespace made visible, escaped."""
    return f'<span class="tok">“{html_token(token)}”</span>'


def number(v: float, prec: int, name: str) -> str:
    return f'<span class="n" data-name="{name}">{num(v, prec)}</span>'


def _cells(v: np.ndarray, prec: int, name: str, limit: int, gap: str) -> list[str]:
    """A vector's entries as numbers; over ``limit`` entries the first ones, ``gap`` and the last."""
    out = [number(z, prec, name) for z in v]
    return out[: limit - 2] + [f'<span class="gap">{gap}</span>'] + out[-1:] if len(out) > limit else out


def col_vec(v: np.ndarray, prec: int, name: str) -> str:
    """A column vector (n,) between brackets."""
    return f'<span class="col">{"".join(_cells(v, prec, name, COLUMN_ROWS, "⋮"))}</span>'


def row_vec(v: np.ndarray, prec: int, name: str) -> str:
    """A vector (n,) written as a transposed row, [0.1, 0.3, 0.5]ᵀ as the seed document does."""
    return f'<span class="row">[{", ".join(_cells(v, prec, name, ROW_ENTRIES, "…"))}]<sup>⊤</sup></span>'


def under(body: str, label: str) -> str:
    """``body`` with ``label`` written under it, joined by a brace (LaTeX's \\underbrace)."""
    return f'<span class="under"><span class="body">{body}</span><span class="label">{label}</span></span>'


def eq(*parts: str) -> str:
    return " ".join(parts)


# ---------------------------------------------------------------- the pieces


def input_eq(tr: StepTrace, prec: int) -> str:
    """x_t = emb(token) with its numbers; at step 1 also h_0 = 0 (the seed's Step 2)."""
    h0 = f',<span class="sp"></span>{var("h", 0)} = <b>0</b>' if tr.t == 1 else ""
    return eq(var("x", tr.t), "=", f"emb({quoted(tr.input)})", "=", row_vec(tr.x, prec, "x") + h0)


def preactivation_eq(tr: StepTrace, prec: int) -> str:
    """a_t = W_x x_t + W_h h_{t-1} + b_h: each term's numbers named under them, and their sum (at
    step 1 the W_h h_0 column is zeros: the seed's "since h_0 = 0 this reduces to tanh(W_x x_1 + b_h)")."""
    t = tr.t
    terms = [under(col_vec(tr.Wx_x, prec, "Wx_x"), var("W", "x") + var("x", t)),
             under(col_vec(tr.Wh_h, prec, "Wh_h"), var("W", "h") + var("h", t - 1)),
             under(col_vec(tr.b_h, prec, "b_h"), var("b", "h"))]
    return eq(var("a", t), "=", " + ".join(terms), "=", col_vec(tr.a, prec, "a"))


def hidden_eq(tr: StepTrace, prec: int) -> str:
    return eq(var("h", tr.t), "=", f"tanh({var('a', tr.t)})", "=", row_vec(tr.h, prec, "h"))


def output_eq(tr: StepTrace, shape: tuple[int, int]) -> str:
    """o_t = W_y h_t + b_y and y_t = softmax(o_t); W_y's shape beside it (V x H: the seed
    document writes 3 x 3, which only holds for 3 tokens)."""
    t, (V, H) = tr.t, shape
    return eq(var("o", t), "=", var("W", "y") + var("h", t), "+", var("b", "y") + ',<span class="sp"></span>',
              var("y", t), "=", f"softmax({var('o', t)})",
              f'<span class="aside">{var("W", "y")} is <i>V</i>×<i>H</i> = {V}×{H}</span>')


def q_eq(tr: StepTrace, rule: rc.Rule, prec: int) -> str | None:
    """When the pick was drawn from a q_t other than y_t: q_t's formula with this step's
    temperature and, when filters cut tokens away, the mass the kept ones had, which they are
    divided by. None when the pick was drawn from y_t."""
    if not tr.reshaped:
        return None
    t, scaled = tr.t, f"softmax({var('o', tr.t)} / {rule.temperature:g})"
    if len(tr.kept) == len(tr.probs):
        return eq(var("q", t), "=", scaled)
    mass = num(rc.decoding.kept_mass(tr, rule), prec)
    return eq(f"{var('q', t)}[<i>v</i>]", "=", f"{scaled}[<i>v</i>] / {mass}")


def kept_note(tr: StepTrace, rule: rc.Rule) -> str | None:
    """Which tokens q_t keeps, in words, when filters cut some away (else None)."""
    if not tr.reshaped or len(tr.kept) == len(tr.probs):
        return None
    cut = " and ".join(part for part in (f"top-k = {rule.top_k}" * bool(rule.top_k),
                                         f"top-p = {rule.top_p:g}" * (rule.top_p < 1)) if part) or rule.describe()
    return f"q{_sub(tr.t)}: the {len(tr.kept)} tokens kept by {cut}, divided by their mass; 0 for the others."


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def output_table(tr: StepTrace, vocab: tuple[str, ...], prec: int) -> str:
    """o_t and y_t (and q_t when sampling reshaped y_t) in a table, one column per token: all of
    a small vocabulary, else the most probable ones, the chosen one and "others" (the rest of
    the probability mass). More than ``BLOCK_COLUMNS`` columns are written as two or more
    blocks, one below the other. The chosen token's column is marked."""
    V = len(tr.probs)
    ids = [int(v) for v in tr.top_ids(max_tokens(V))]
    rest = np.setdiff1d(np.arange(V), ids)
    rows = [("o", tr.logits), ("y", tr.probs)] + [("q", tr.q)] * tr.reshaped
    columns = [(f"<th>{quoted(vocab[v])}</th>", {name: _cell(values[v], prec, name, v == tr.token_id)
                                                 for name, values in rows}) for v in ids]
    if len(rest):
        columns.append(("<th>others</th>", {name: f"<td>{_others(name, values, rest, prec)}</td>"
                                            for name, values in rows}))
    per = math.ceil(len(columns) / math.ceil(len(columns) / BLOCK_COLUMNS))
    return "".join(_block(columns[i:i + per], [name for name, _ in rows], tr.t) for i in range(0, len(columns), per))


def _cell(value: float, prec: int, name: str, chosen: bool) -> str:
    return f'<td class="{"chosen" if chosen else ""}">{number(value, prec, name)}</td>'


def _others(name: str, values: np.ndarray, rest: np.ndarray, prec: int) -> str:
    """The "others" column: the summed probability of the tokens not shown (no sum for logits)."""
    return "–" if name == "o" else num(values[rest].sum(), prec)


def _block(columns: list[tuple[str, dict[str, str]]], names: list[str], t: int) -> str:
    head = "".join(th for th, _ in columns)
    body = "".join(f"<tr><th>{var(name, t)}</th>" + "".join(c[name] for _, c in columns) + "</tr>" for name in names)
    return f'<table class="out"><tr><th></th>{head}</tr>{body}</table>'


def pick_eq(tr: StepTrace, prec: int) -> str:
    """How the next token w_t was chosen: argmax of y_t; u_t inside the token's slice of q_t
    (printing q, the distribution the slice belongs to); forced by you; or the prompt's next token."""
    t, w, p = tr.t, quoted(tr.token), num(tr.p_token, prec)
    name = var("w", t)
    if tr.how == "greedy":
        return eq(name, "=", f"arg max<sub><i>v</i></sub> {var('y', t)}[<i>v</i>]", "=", w,
                  f'<span class="aside">({var("y", t)} = {p})</span>')
    if tr.how == "sampled":
        lo, hi = (num(ends[tr.token_id], prec) for ends in rc.decoding.slices(tr.q))
        q = "q" if tr.reshaped else "y"
        return eq(var("u", t), "=", number(tr.draw, prec, "u"), f"∈ [{lo}, {hi})", "⇒", name, "=", w,
                  f'<span class="aside">({var(q, t)} = {num(tr.q[tr.token_id], prec)})</span>')
    why = "forced by you" if tr.how == "forced" else "the next token of the prompt"
    return eq(name, "=", w, f'<span class="aside">({why}; {var("y", t)} = {p})</span>')


def slice_note(tr: StepTrace) -> str | None:
    """For a sampled pick, what u's slice is (else None)."""
    if tr.how != "sampled":
        return None
    return (f"u's slice: the tokens stacked on [0, 1) most probable first, each as wide as its "
            f"{'q' if tr.reshaped else 'y'}{_sub(tr.t)}. The pick is fed back as the next input.")


def before_pick(tr: StepTrace, prec: int) -> list[tuple[str, str]]:
    """The pieces a step shows before its pick is revealed: x_t, a_t, h_t."""
    return [("x", input_eq(tr, prec)), ("a", preactivation_eq(tr, prec)), ("h", hidden_eq(tr, prec))]


def after_pick(tr: StepTrace, rule: rc.Rule, vocab: tuple[str, ...], shape: tuple[int, int],
               prec: int) -> list[tuple[str, str]]:
    """The pieces that show the pick: o_t and y_t, q_t (when reshaped), the table, the pick."""
    pieces = [("oy", output_eq(tr, shape)), ("q", q_eq(tr, rule, prec)), ("table", output_table(tr, vocab, prec)),
              ("pick", pick_eq(tr, prec))]
    return [(key, html) for key, html in pieces if html]
