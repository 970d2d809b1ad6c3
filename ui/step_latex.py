"""The LaTeX of one step, with its live numbers, each piece with an estimate of its width.

Nothing here recomputes the model: every number is read from a ``StepTrace``. Each builder
returns a ``Tex``: the KaTeX source and how wide it renders, in em, estimated from KaTeX's glyph
widths (digits 0.5 em, a minus sign 0.78 em, ...) and never narrower than the real thing. The
page shrinks an equation to its box with that estimate (``ui.step_layout``), so nothing is cut at
the right edge whatever the vocabulary, hidden size or number of decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import rnn_core as rc
from rnn_core import StepTrace
from ui.charts import is_reshaped, shown_ids
from ui.token_text import show_token, tex_token

COLUMN_ROWS = 5  # a column vector longer than this shows its first entries, a ⋮ and the last
ROW_ENTRIES = 6  # a row vector longer than this shows its first entries, a … and the last
TABLE_COLUMNS = 12  # o_t / y_t table: up to this many columns (past it, the top tokens and "others")
BLOCK_COLUMNS = 6  # columns per block of the table; a wider table is written as blocks one below another

# KaTeX_Main widths in em (measured in the browser); letters rounded up
_GLYPH_EM = {".": 0.28, ",": 0.28, "-": 0.78, " ": 0.33, "“": 0.5, "”": 0.5, "(": 0.39, ")": 0.39, "[": 0.28,
             "]": 0.28, "/": 0.5}
OP_EM = 1.35  # "=" or "+" with its spaces
ARROW_EM = 1.6  # \Rightarrow with its spaces
COL_SEP_EM = 1.0  # an array column's padding (arraycolsep on both sides)
BRACKETS_EM = 1.4  # a bmatrix's brackets and their padding


@dataclass(frozen=True)
class Tex:
    """KaTeX source and its estimated rendered width in em (of KaTeX's own font size)."""

    source: str
    em: float

    def __add__(self, other: "Tex") -> "Tex":
        return Tex(f"{self.source} {other.source}", self.em + other.em)


EQ, PLUS, ARROW, COMMA_QUAD = Tex("=", OP_EM), Tex("+", OP_EM), Tex(r"\Rightarrow", ARROW_EM), Tex(r",\quad", 1.3)


def text_em(text: str) -> float:
    """Width in em of plain text in KaTeX's font: digits 0.5, capitals 0.75, other letters 0.55."""
    def one(c: str) -> float:
        if c in _GLYPH_EM:
            return _GLYPH_EM[c]
        if c.isdigit():
            return 0.5
        if c.isascii() and c.isalpha():
            return 0.75 if c.isupper() else 0.55
        return 0.8 if c.isascii() else 1.0
    return sum(one(c) for c in text)


_NAMES = {r"\mathrm": "", r"\tanh": "tanh", r"\arg": "arg", r"\max": "max", r"\,": " ", r"\ ": " "}


def sym(source: str) -> Tex:
    r"""A piece of math and its width: '=' and '+' with their spacing, subscripts (``_1``, ``_{t-1}``)
    at 70%, ``\mathrm`` and braces invisible, ``\tanh`` etc. as their letters."""
    shown = source
    for command, letters in _NAMES.items():
        shown = shown.replace(command, letters)
    em, i = 0.1, 0
    while i < len(shown):
        c = shown[i]
        if c == "_":
            end = shown.index("}", i) + 1 if shown[i + 1] == "{" else i + 2
            em += 0.7 * text_em(shown[i + 1:end].strip("{}"))
            i = end
            continue
        em += OP_EM if c in "=+" else 0 if c in " {}" else text_em(c)
        i += 1
    return Tex(source, em)


def num(v: float, prec: int) -> str:
    """v rounded to ``prec`` decimals, never "-0.000"."""
    s = f"{float(v):.{prec}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def token_tex(token: str) -> Tex:
    """A token in quotes (``ui.token_text.tex_token``) with its width."""
    return Tex(tex_token(token), text_em(show_token(token)) + 1.0)


def col_vec(v: np.ndarray, prec: int, limit: int = COLUMN_ROWS) -> Tex:
    """A column vector (n,) as a bmatrix; over ``limit`` entries, the first ones, a ⋮, the last."""
    cells = [num(z, prec) for z in v]
    if len(cells) > limit:
        cells = cells[: limit - 2] + [r"\vdots"] + cells[-1:]
    em = max(text_em(c) for c in cells if c != r"\vdots") + BRACKETS_EM
    return Tex(r"\begin{bmatrix}" + r" \\ ".join(cells) + r"\end{bmatrix}", em)


def row_vec(v: np.ndarray, prec: int, limit: int = ROW_ENTRIES) -> Tex:
    """A vector (n,) written as a transposed row, as the seed document writes x_1 = [0.1, 0.3, 0.5]^T;
    over ``limit`` entries, the first ones, a …, the last."""
    cells = [num(z, prec) for z in v]
    if len(cells) > limit:
        cells = cells[: limit - 2] + [r"\ldots"] + cells[-1:]
    em = sum(text_em(c) if c != r"\ldots" else 1.2 for c in cells) + 0.6 * (len(cells) - 1) + 1.6
    return Tex(r"\left[" + r",\ ".join(cells) + r"\right]^\top", em)


def input_tex(tr: StepTrace, prec: int) -> Tex:
    """x_t = emb(token) with its numbers; at step 1 also h_0 = 0 (the seed's Step 2)."""
    x = sym(f"x_{{{tr.t}}}") + EQ + Tex(r"\mathrm{emb}(", 2.3) + token_tex(tr.input) \
        + Tex(")", 0.4) + EQ + row_vec(tr.x, prec)
    return x + COMMA_QUAD + Tex(r"h_0 = \mathbf{0}", 3.4) if tr.t == 1 else x


def preactivation_tex(tr: StepTrace, prec: int) -> Tex:
    """a_t = W_x x_t + W_h h_{t-1} + b_h: each term's numbers, named under them, and their sum (at
    step 1 the W_h h_0 column is zeros: the seed's "since h_0 = 0 this reduces to tanh(W_x x_1 + b_h)")."""
    t = tr.t

    def term(v: np.ndarray, name: str) -> Tex:
        vec = col_vec(v, prec)
        return Tex(rf"\underbrace{{{vec.source}}}_{{{name}}}", vec.em)

    return (sym(f"a_{{{t}}}") + EQ + term(tr.Wx_x, f"W_x x_{{{t}}}") + PLUS
            + term(tr.Wh_h, f"W_h h_{{{t - 1}}}") + PLUS + term(tr.b_h, "b_h") + EQ + col_vec(tr.a, prec))


def hidden_tex(tr: StepTrace, prec: int) -> Tex:
    """h_t = tanh(a_t) with numbers."""
    t = tr.t
    return sym(f"h_{{{t}}}") + EQ + sym(rf"\tanh(a_{{{t}}})") + EQ + row_vec(tr.h, prec)


def output_equations_tex(tr: StepTrace) -> Tex:
    """o_t = W_y h_t + b_y and y_t = softmax(o_t), whose numbers ``output_table_tex`` lists."""
    t = tr.t
    return sym(f"o_{{{t}}} = W_y h_{{{t}}} + b_y") + COMMA_QUAD + sym(rf"y_{{{t}}} = \mathrm{{softmax}}(o_{{{t}}})")


def q_tex(tr: StepTrace, rule: rc.Rule, prec: int) -> Tex | None:
    """When the pick was drawn from a q_t other than y_t: q_t's formula with this step's numbers,
    the temperature and, when top-k/top-p cut tokens away (``kept_note`` says which), the mass
    the kept tokens had, which they are divided by. None when the pick was drawn from y_t."""
    if not is_reshaped(tr):
        return None
    t, T = tr.t, f"{rule.temperature:g}"
    scaled = sym(rf"\mathrm{{softmax}}(o_{{{t}}} / {T})")
    if len(tr.kept) == len(tr.probs):
        return sym(f"q_{{{t}}}") + EQ + scaled
    mass = num(float(rc.softmax(tr.logits / rule.temperature)[list(tr.kept)].sum()), prec)
    return sym(f"q_{{{t}}}[v]") + EQ + scaled + sym(rf"[v] \,/\, {mass}")


def kept_note(tr: StepTrace, rule: rc.Rule) -> str | None:
    """Which tokens q_t keeps, in words, when top-k or top-p cut some away (else None)."""
    if not is_reshaped(tr) or len(tr.kept) == len(tr.probs):
        return None
    cut = " and ".join(part for part in (f"top-k = {rule.top_k}" * bool(rule.top_k),
                                         f"top-p = {rule.top_p:g}" * (rule.top_p < 1)) if part)
    return f"q_{tr.t}: the {len(tr.kept)} tokens kept by {cut}; 0 for the others."


def max_tokens(V: int) -> int:
    """How many tokens the table (and the first screen's chart) names: all of a vocabulary of up
    to ``TABLE_COLUMNS``; else the most probable ones, so that with the chosen one and "others"
    there are at most ``TABLE_COLUMNS`` columns."""
    return V if V <= TABLE_COLUMNS else TABLE_COLUMNS - 2


def _table_block(rows: list[tuple[str, list[str]]], head: list[Tex], label_em: float) -> Tex:
    """One block of the o/y table: a header of tokens over rows of numbers."""
    widths = [max(h.em, *(text_em(cells[i]) for _, cells in rows)) + COL_SEP_EM for i, h in enumerate(head)]
    body = r" \\ ".join(name + " & " + " & ".join(cells) for name, cells in rows)
    source = (rf"\begin{{array}}{{r|{'c' * len(head)}}} & " + " & ".join(h.source for h in head)
              + rf" \\ \hline {body} \end{{array}}")
    return Tex(source, label_em + COL_SEP_EM + sum(widths))


def output_table_tex(tr: StepTrace, vocab: tuple[str, ...], prec: int) -> Tex:
    """o_t and y_t (and q_t when sampling reshaped y_t) in a table, one column per token.

    Up to ``TABLE_COLUMNS`` tokens; a larger vocabulary shows the most probable ones and the chosen
    one, then an "others" column with the rest of the probability mass. More than
    ``BLOCK_COLUMNS`` columns are written as two or more blocks, one below the other.
    """
    V, t = len(tr.probs), tr.t
    ids = list(shown_ids(tr, max_tokens(V)))
    rest = np.setdiff1d(np.arange(V), ids)
    names = [(f"o_{{{t}}}", tr.logits), (f"y_{{{t}}}", tr.probs)] + [(f"q_{{{t}}}", tr.q)] * is_reshaped(tr)
    head = [token_tex(vocab[v]) for v in ids] + [Tex(r"\text{others}", 3.0)] * bool(len(rest))
    rows = [(name, [num(values[v], prec) for v in ids] + [others_cell(name, values, rest, prec)] * bool(len(rest)))
            for name, values in names]
    n_blocks = math.ceil(len(head) / BLOCK_COLUMNS)
    per = math.ceil(len(head) / n_blocks)
    blocks = [_table_block([(name, cells[i:i + per]) for name, cells in rows], head[i:i + per], 1.6)
              for i in range(0, len(head), per)]
    if len(blocks) == 1:
        return blocks[0]
    return Tex(r"\begin{gathered}" + r" \\[6pt] ".join(b.source for b in blocks) + r"\end{gathered}",
               max(b.em for b in blocks))


def others_cell(name: str, values: np.ndarray, rest: np.ndarray, prec: int) -> str:
    """The "others" column: the summed probability of the tokens not shown (no sum for logits)."""
    return "-" if name.startswith("o") else num(values[rest].sum(), prec)


def pick_tex(tr: StepTrace, prec: int) -> Tex:
    """How the next token w_t was chosen: argmax of y_t; u_t inside the token's slice of q_t
    (printing q, the distribution the slice belongs to); forced by you; or the prompt's next token."""
    t, w = tr.t, token_tex(tr.token)
    name = sym(f"w_{{{t}}}")
    p = num(tr.p_token, prec)
    if tr.how == "greedy":
        return (name + EQ + sym(rf"\arg\max_v\, y_{{{t}}}[v]") + EQ + w
                + Tex(rf"\quad (y = {p})", text_em(f"(y = {p})") + 1.0))
    if tr.how == "sampled":
        lo, hi = (num(ends[tr.token_id], prec) for ends in rc.slices(tr.q))
        q = "q" if is_reshaped(tr) else "y"
        value = num(tr.q[tr.token_id], prec)
        return (sym(f"u_{{{t}}}") + EQ + Tex(num(tr.draw, prec), text_em(num(tr.draw, prec)))
                + Tex(rf"\in [{lo},\ {hi})", text_em(f"e [{lo}, {hi})") + 0.9) + ARROW + name + EQ + w
                + Tex(rf"\quad ({q}_{{{t}}} = {value})", text_em(f"({q}_{t} = {value})") + 1.0))
    why = "forced by you" if tr.how == "forced" else "the next token of the prompt"
    return (name + EQ + w + Tex(rf"\ \text{{({why})}}", text_em(f"({why})") + 0.3)
            + Tex(rf"\quad (y = {p})", text_em(f"(y = {p})") + 1.0))


def shapes_tex(params: rc.Params) -> Tex:
    """Every parameter's shape, e.g. W_y \\in R^{5 x 3}."""
    names = {"embedding": r"\mathrm{emb}", "W_x": "W_x", "W_h": "W_h", "b_h": "b_h", "W_y": "W_y", "b_y": "b_y"}
    parts = []
    for name, shape in params.shapes_text().items():
        dims = shape.replace(" x ", r" \times ")
        parts.append(Tex(rf"{names[name]} \in \mathbb{{R}}^{{{dims}}}", 3.2 + 0.7 * text_em(shape)))
    out = parts[0]
    for part in parts[1:]:
        out = out + COMMA_QUAD + part
    return out
