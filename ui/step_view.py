"""Helpers of the Step-Through page: its settings and URL, the cached path, and the LaTeX of a step.

Nothing here recomputes the model: every number is read from a ``StepTrace`` (or, for the next
input x_{t+1}, from a row of the embedding). The page keeps a path (a list of traces) per
(model version, settings, forced tokens) so moving between steps only re-renders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Mapping

import numpy as np

import rnn_core as rc
from rnn_core import EOS, StepTrace
from ui.charts import shown_ids

RULES = ("sample", "greedy")
MAX_LEN = 200  # a presenter steps through a handful of tokens; 200 is plenty for char level
T_RANGE = (0.05, 5.0)  # the temperature slider's range: beyond it y_t is all but one-hot or flat
P_MIN = 0.01  # smallest top-p the page offers
LIMIT = 10  # longest vector or distribution written out in full; longer ones are abridged


@dataclass(frozen=True)
class Settings:
    """What the page shows; each field is one key of the URL's query string (see ``QUERY``)."""

    word: str  # the seed word (or prompt) fed in at step 1
    rule: str = "sample"  # 'sample' (the seed document's "sample the next word") or 'greedy'
    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 1.0
    seed: int = 0  # RNG seed of the draws u_t
    max_len: int = 20  # tokens generated at most
    step: int = 1  # 1-based step on screen

    def rule_obj(self) -> rc.Rule:
        """The ``rnn_core.Rule`` these settings describe (ConfigError if out of range)."""
        return rc.Rule(self.rule, self.temperature, self.top_k, self.top_p)

    def path_key(self) -> tuple:
        """Everything the path depends on, apart from the model and forced tokens."""
        return (self.word, self.rule, self.temperature, self.top_k, self.top_p, self.seed, self.max_len)


# field -> (query key, parser); a parser raises ValueError for a value it refuses
QUERY = {
    "step": ("step", int),
    "word": ("word", str),
    "rule": ("rule", str),
    "temperature": ("T", float),
    "top_k": ("k", int),
    "top_p": ("p", float),
    "seed": ("seed", int),
    "max_len": ("max", int),
}


def check(s: Settings, model: rc.Model) -> None:
    """ConfigError/VocabularyError naming the first field of ``s`` that is out of range.

    The seed word may be several known tokens (a prompt); an unknown one raises VocabularyError
    with the closest known words.
    """
    s.rule_obj()
    if not T_RANGE[0] <= s.temperature <= T_RANGE[1]:
        raise rc.ConfigError(f"temperature must be from {T_RANGE[0]} to {T_RANGE[1]} here "
                             f"(choose greedy for argmax), not {s.temperature}.")
    if s.top_k > len(model.vocab):
        raise rc.ConfigError(f"top-k must be at most the vocabulary size {len(model.vocab)}, not {s.top_k}.")
    if s.top_p < P_MIN:
        raise rc.ConfigError(f"top-p must be from {P_MIN} to 1, not {s.top_p}.")
    if not 0 <= s.seed < 2**32:
        raise rc.ConfigError(f"seed must be from 0 to {2**32 - 1}, not {s.seed}.")
    if not 1 <= s.max_len <= MAX_LEN:
        raise rc.ConfigError(f"max length must be from 1 to {MAX_LEN}, not {s.max_len}.")
    if s.step < 1:
        raise rc.ConfigError(f"step must be 1 or more, not {s.step}.")
    rc.prompt_ids(model, s.word)


def from_query(query: Mapping[str, str], defaults: Settings, model: rc.Model) -> tuple[Settings, list[str]]:
    """Settings from a URL query string, and one warning per value that was refused.

    Each refused value falls back to its default, so a broken link still opens the page.
    """
    s, warnings = defaults, []
    for field, (key, parse) in QUERY.items():
        if key not in query:
            continue
        raw = query[key]
        try:
            candidate = replace(s, **{field: parse(raw)})
            check(candidate, model)
        except (ValueError, rc.RnnCoreError) as e:
            reason = str(e) if isinstance(e, rc.RnnCoreError) else "not a number"
            warnings.append(f"Ignored `{key}={raw}` in the link ({reason}); using {getattr(defaults, field)!r}.")
            continue
        s = candidate
    return s, warnings


def to_query(s: Settings) -> dict[str, str]:
    """The query string of ``s`` (inverse of ``from_query``)."""
    values = asdict(s)
    return {key: f"{values[field]:g}" if isinstance(values[field], float) else str(values[field])
            for field, (key, _) in QUERY.items()}


def clamp_step(step: int, n_steps: int) -> int:
    """A step inside 1..n_steps."""
    return min(max(step, 1), n_steps)


def forks_key(forks: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(forks.items()))


def add_fork(forks: Mapping[int, int], t: int, token_id: int) -> dict[int, int]:
    """Forced tokens after forcing ``token_id`` at step t: later forks belonged to the old path."""
    return {**{k: v for k, v in forks.items() if k < t}, t: token_id}


def teacher_rows(model: rc.Model, traces: list[StepTrace], ref: tuple[str, ...]) -> list[dict]:
    """One row per step: what the model was fed and picked, beside the training text's truth.

    ``p(true next)`` is y_t[true next] read from the generated path's own trace at that step.
    """
    rows = []
    for tr in traces:
        true_in = ref[tr.t - 1] if tr.t - 1 < len(ref) else None
        true_next = ref[tr.t] if tr.t < len(ref) else None
        rows.append({
            "step": tr.t,
            "fed in (x_t)": tr.input,
            "training text here": true_in if true_in is not None else "—",
            "model picked": tr.token,
            "p(picked)": tr.p_token,
            "true next": true_next if true_next is not None else "—",
            "p(true next)": float(tr.probs[model.vocab.id(true_next)]) if true_next is not None else np.nan,
            "on the training path": tr.input == true_in,
        })
    return rows


def finished_reason(traces: list[StepTrace], max_len: int) -> str:
    """Why the path ends where it does: at </s>, or at the length limit."""
    if rc.ends_with_eos(traces):
        return f"it picked {EOS} at step {traces[-1].t}"
    return f"it reached the length limit of {max_len} generated tokens"


# ---- LaTeX -------------------------------------------------------------------------------------

_TEX_ESCAPE = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
               "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\sim "}
_WHITESPACE = {" ": "space", "\n": "newline", "\t": "tab"}


def num(v: float, prec: int) -> str:
    """v rounded to ``prec`` decimals, never "-0.000"."""
    s = f"{float(v):.{prec}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def shown_token(token: str) -> str:
    """A token as a widget shows it: whitespace by name."""
    return _WHITESPACE.get(token, token)


def tex_token(token: str) -> str:
    """A token as upright LaTeX text in quotes, special characters escaped."""
    if token in _WHITESPACE:
        return rf"\textit{{{_WHITESPACE[token]}}}"
    return r"\text{``" + "".join(_TEX_ESCAPE.get(c, c) for c in token) + "''}"


def vec(v: np.ndarray, prec: int, limit: int = LIMIT) -> str:
    """A column vector (n,) as a bmatrix; over ``limit`` entries, the first ones, a ⋮, the last."""
    cells = [num(z, prec) for z in v]
    if len(cells) > limit:
        cells = cells[: limit - 2] + [r"\vdots"] + cells[-1:]
    return r"\begin{bmatrix}" + r" \\ ".join(cells) + r"\end{bmatrix}"


def input_latex(tr: StepTrace, prec: int) -> str:
    """x_t and the word it embeds."""
    return rf"x_{{{tr.t}}} = \mathrm{{emb}}({tex_token(tr.input)}) = {vec(tr.x, prec)}"


def h0_latex(tr: StepTrace) -> str:
    """Step 1 only: h_0 = 0, so the W_h term vanishes (the seed's Step 3)."""
    return (r"h_0 = \mathbf{0} \;\Rightarrow\; W_h h_0 = \mathbf{0} \;\Rightarrow\; "
            r"h_1 = \tanh(W_x x_1 + b_h)")


def preactivation_latex(tr: StepTrace, prec: int) -> str:
    """a_t = W_x x_t + W_h h_{t-1} + b_h with each term's numbers and their sum."""
    t = tr.t
    return (rf"a_{{{t}}} = \underbrace{{{vec(tr.Wx_x, prec)}}}_{{W_x x_{{{t}}}}} + "
            rf"\underbrace{{{vec(tr.Wh_h, prec)}}}_{{W_h h_{{{t - 1}}}}} + "
            rf"\underbrace{{{vec(tr.b_h, prec)}}}_{{b_h}} = {vec(tr.a, prec)}")


def hidden_latex(tr: StepTrace, prec: int) -> str:
    """h_t = tanh(a_t) with numbers."""
    return rf"h_{{{tr.t}}} = \tanh(a_{{{tr.t}}}) = \tanh{vec(tr.a, prec)} = {vec(tr.h, prec)}"


def output_latex(tr: StepTrace, vocab: tuple[str, ...], prec: int) -> str:
    """o_t (= W_y h_t + b_y) and y_t (= softmax(o_t)) as a table with one column per token.

    When sampling reshaped y_t (temperature, top-k, top-p), the row q_t that was actually sampled
    from is added.
    """
    ids = shown_ids(tr, LIMIT - 1)  # the most probable and the chosen: at most LIMIT columns
    t = tr.t
    rows = [(f"o_{{{t}}}", [num(tr.logits[v], prec) for v in ids]), (f"y_{{{t}}}", [num(tr.probs[v], prec) for v in ids])]
    if tr.how == "sampled" and not np.allclose(tr.q, tr.probs):
        rows.append((f"q_{{{t}}}", [num(tr.q[v], prec) for v in ids]))
    head = " & ".join(tex_token(vocab[v]) for v in ids)
    more = r" & \cdots" if len(ids) < len(vocab) else ""
    body = r" \\ ".join(name + " & " + " & ".join(cells) + (" & " if more else "") for name, cells in rows)
    cols = "c" * (len(ids) + (1 if more else 0))
    return rf"\begin{{array}}{{r|{cols}}} & {head}{more} \\ \hline {body} \end{{array}}"


def output_equations_latex(tr: StepTrace) -> str:
    """The equations whose numbers ``output_latex`` tabulates (q_t only when sampling reshaped y_t)."""
    t = tr.t
    eqs = [rf"o_{{{t}}} = W_y h_{{{t}}} + b_y", rf"y_{{{t}}} = \mathrm{{softmax}}(o_{{{t}}})"]
    if tr.how == "sampled" and not np.allclose(tr.q, tr.probs):
        eqs.append(rf"q_{{{t}}} = y_{{{t}}}\ \text{{reshaped by }} T,\,k,\,p")
    return r",\quad ".join(eqs)


def pick_latex(tr: StepTrace, prec: int) -> str:
    """How the next token w_t was chosen: argmax, inverse CDF with u, forced, or the prompt."""
    w, t = tex_token(tr.token), tr.t
    p = num(tr.p_token, prec)
    if tr.how == "greedy":
        return rf"w_{{{t}}} = \arg\max_v\, y_{{{t}}}[v] = {w} \quad (y = {p})"
    if tr.how == "sampled":
        lo, hi = (ends[tr.token_id] for ends in rc.slices(tr.q))
        return (rf"\begin{{gathered}} u_{{{t}}} = {num(tr.draw, prec)} \\ "
                rf"{num(lo, prec)} \le u_{{{t}}} < {num(hi, prec)} "
                rf"\;\Rightarrow\; w_{{{t}}} = {w} \quad (y = {p}) \\ "
                r"\text{(each token's slice of } [0, 1) \text{, stacked most probable first)} \end{gathered}")
    if tr.how == "forced":
        return rf"w_{{{t}}} = {w}\ \text{{(forced by you)}} \quad (y = {p})"
    return rf"w_{{{t}}} = {w}\ \text{{(the next token of the prompt)}} \quad (y = {p})"


def next_input_latex(tr: StepTrace, embedding: np.ndarray, prec: int) -> str:
    """The chosen token becomes the next input: x_{t+1} = its row of the embedding."""
    return rf"x_{{{tr.t + 1}}} = \mathrm{{emb}}({tex_token(tr.token)}) = {vec(embedding[tr.token_id], prec)}"


def shapes_latex(params: rc.Params) -> str:
    """Every parameter's shape, e.g. W_y \\in R^{5 x 3}."""
    names = {"embedding": r"\mathrm{emb}", "W_x": "W_x", "W_h": "W_h", "b_h": "b_h", "W_y": "W_y", "b_y": "b_y"}
    parts = []
    for name, shape in params.shapes_text().items():
        dims = shape.replace(" x ", r" \times ")
        parts.append(rf"{names[name]} \in \mathbb{{R}}^{{{dims}}}")
    return r",\quad ".join(parts)


# ---- the path and its forks ---------------------------------------------------------------------

CACHE_SIZE = 16  # paths kept per visitor: enough to flip between a path, its forks and the original


def path_key(version: int, s: Settings, forks: Mapping[int, int]) -> tuple:
    return (version, s.path_key(), forks_key(forks))


def get_path(cache: dict, model: rc.Model, version: int, s: Settings, forks: Mapping[int, int]) -> list[StepTrace]:
    """The whole path for these settings and forced tokens, computed once and kept in ``cache``."""
    key = path_key(version, s, forks)
    if key not in cache:
        _store(cache, key, rc.generate(model, s.word, s.rule_obj(), max_tokens=s.max_len, seed=s.seed,
                                       forced=dict(forks)))
    return cache[key]


def fork_path(cache: dict, model: rc.Model, version: int, s: Settings, forks: Mapping[int, int],
              traces: list[StepTrace], t: int, token_id: int) -> dict[int, int]:
    """Force ``token_id`` at step t of ``traces``: ``rnn_core.fork`` reuses steps before t and
    recomputes only the later ones. Returns the new forced tokens; the new path is in ``cache``."""
    new = add_fork(forks, t, token_id)
    key = path_key(version, s, new)
    if key not in cache:
        _store(cache, key, rc.fork(model, traces, t, token_id, s.rule_obj(), max_tokens=s.max_len, seed=s.seed))
    return new


def _store(cache: dict, key: tuple, traces: list[StepTrace]) -> None:
    while len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))  # dicts keep insertion order: drop the oldest
    cache[key] = traces


def path_markdown(traces: list[StepTrace], step: int, forks: Mapping[int, int]) -> str:
    """The path as Markdown tokens: the input of ``step`` highlighted, forced picks marked ✋."""
    parts = [_md_token(traces[0].input, step == 1)]
    for tr in traces:
        token = _md_token(tr.token, tr.t + 1 == step)
        parts.append(f"✋{token}" if tr.t in forks else token)
    return " → ".join(parts)


def _md_token(token: str, current: bool) -> str:
    shown = shown_token(token).replace("`", "ˋ")
    return f":orange-background[**`{shown}`**]" if current else f"`{shown}`"
