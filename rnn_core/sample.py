"""Picking the next token, and autoregressive generation built on it.

The model gives y_t; a ``Rule`` turns it into a token: greedy (argmax), or a sample from y_t
reshaped by temperature, top-k and top-p. Each step's random number comes from a fixed
per-(seed, sample) sequence, u_1, u_2, ..., so forcing a token at step k changes nothing before
k and the steps after it meet the same random numbers: the fork is comparable to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numbers

import numpy as np

from .errors import ConfigError, VocabularyError
from .params import Model
from .step import StepTrace, forward_step, make_trace, softmax
from .tokens import EOS, decode, tokenize_prompt

MAX_TOKENS = 10_000


def _is_number(v, kind) -> bool:
    """True for ints/floats of ``kind`` (numpy scalars included), False for bools and the rest."""
    return isinstance(v, kind) and not isinstance(v, (bool, np.bool_))


@dataclass(frozen=True)
class Rule:
    """How to pick: 'greedy', or 'sample' with temperature (0 = greedy), top_k (0 = off), top_p."""

    strategy: str = "sample"
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0

    def __post_init__(self):
        if self.strategy not in ("greedy", "sample"):
            raise ConfigError(f"strategy must be 'greedy' or 'sample', not {self.strategy!r}.")
        t = self.temperature
        if not (_is_number(t, numbers.Real) and 0 <= t < float("inf")):
            raise ConfigError(f"temperature must be 0 or more (0 means greedy), not {t}.")
        if not _is_number(self.top_k, numbers.Integral) or self.top_k < 0:
            raise ConfigError(f"top-k must be a whole number >= 1 (or 0 for off), not {self.top_k!r}.")
        if not (_is_number(self.top_p, numbers.Real) and 0 < self.top_p <= 1):
            raise ConfigError(f"top-p must be in (0, 1], not {self.top_p}.")

    @property
    def is_greedy(self) -> bool:
        return self.strategy == "greedy" or self.temperature == 0

    def describe(self) -> str:
        if self.is_greedy:
            return "greedy"
        parts = [f"sample T={self.temperature:g}"]
        if self.top_k:
            parts.append(f"top-k={self.top_k}")
        if self.top_p < 1:
            parts.append(f"top-p={self.top_p:g}")
        return ", ".join(parts)


GREEDY = Rule("greedy")



def reshape(logits: np.ndarray, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
    """The distribution a sample is drawn from, and the ids top-k/top-p kept.

    Inputs: logits (V,). Returns q (V,) = softmax(logits / T) restricted to the k most probable
    tokens, then to the smallest most-probable set whose mass reaches top_p, renormalised;
    kept (n,) the surviving ids in vocabulary order.
    """
    q = softmax(logits / rule.temperature)
    order = np.argsort(-q, kind="stable")  # most probable first; ties keep vocabulary order
    n = len(q)
    if rule.top_k:
        n = min(n, rule.top_k)
    if rule.top_p < 1:
        mass = np.cumsum(q[order[:n]])
        n = min(n, int(np.searchsorted(mass, rule.top_p * (1 - 1e-12))) + 1)
    kept = np.sort(order[:n])
    cut = np.zeros_like(q)
    cut[kept] = q[kept]
    return cut / cut.sum(), kept


def slices(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each token's slice [lo, hi) of [0, 1) for inverse-CDF sampling: the tokens are stacked from
    the most probable down (ties in vocabulary order), so a small u picks a likely token.

    Inputs: q (V,). Returns lo (V,), hi (V,) with hi - lo = q.
    """
    order = np.argsort(-q, kind="stable")
    hi = np.empty_like(q)
    hi[order] = np.cumsum(q[order])
    return hi - q, hi


def draw_token(q: np.ndarray, u: float) -> int:
    """Inverse CDF: the token whose slice of [0, 1) holds u (see ``slices``)."""
    lo, hi = slices(q)
    inside = np.flatnonzero((lo <= u) & (u < hi) & (q > 0))
    if len(inside):
        return int(inside[0])
    order = np.argsort(-q, kind="stable")
    return int(order[q[order] > 0][-1])  # u past the top by rounding: the last token stacked


def pick(logits: np.ndarray, probs: np.ndarray, rule: Rule, u: float):
    """(token_id, how, q, kept, draw) for one step under ``rule`` with random number u."""
    if rule.is_greedy:
        return int(np.argmax(probs)), "greedy", probs, None, None
    q, kept = reshape(logits, rule)
    return draw_token(q, u), "sampled", q, kept, float(u)


def draws(seed: int, sample: int, n: int) -> np.ndarray:
    """u_1..u_n in [0, 1) for sample number ``sample`` under ``seed``."""
    return np.random.default_rng([seed, sample]).random(n)


def check_limits(max_tokens: int, seed: int) -> None:
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= MAX_TOKENS:
        raise ConfigError(f"max tokens must be a whole number from 1 to {MAX_TOKENS:,}, not {max_tokens!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be a whole number from 0 to {2**32 - 1}, not {seed!r}.")


def prompt_ids(model: Model, prompt) -> list[int]:
    """Ids of a prompt given as text or as a list of tokens; VocabularyError if empty or unknown."""
    tokens = tokenize_prompt(prompt, model.level) if isinstance(prompt, str) else list(prompt)
    if not tokens:
        raise VocabularyError("the prompt is empty; type at least one known word to start from.")
    return model.vocab.encode(tokens)


def generate(model: Model, prompt, rule: Rule = GREEDY, max_tokens: int = 20, seed: int = 0,
             sample: int = 0, forced: dict[int, int] | None = None) -> list[StepTrace]:
    """Autoregressive generation: one ``StepTrace`` per token fed in.

    The prompt's tokens are fed in as given (how='prompt'); after the last one each next token is
    picked by ``rule`` (or taken from ``forced[t]``, how='forced') and fed back, until ``</s>`` is
    picked or ``max_tokens`` tokens have been generated. h_0 = 0.
    """
    check_limits(max_tokens, seed)
    ids = prompt_ids(model, prompt)
    for t, token_id in (forced or {}).items():
        if not 0 <= token_id < len(model.vocab):
            raise VocabularyError(f"forced token id {token_id} at step {t} is outside the vocabulary.")
    return _run(model, ids, [], rule, max_tokens, seed, sample, forced or {})


def fork(model: Model, traces: list[StepTrace], t: int, token, rule: Rule = GREEDY,
         max_tokens: int = 20, seed: int = 0, sample: int = 0) -> list[StepTrace]:
    """The path ``traces`` with ``token`` forced at step t (1-based); steps before t are reused,
    step t keeps its numbers and only changes its choice, steps after it are recomputed."""
    check_limits(max_tokens, seed)
    token_id = token if isinstance(token, int) else model.vocab.encode([token])[0]
    if not 0 <= token_id < len(model.vocab):
        raise VocabularyError(f"token id {token_id} is outside the vocabulary of {len(model.vocab)}.")
    if not 1 <= t <= len(traces):
        raise ConfigError(f"step must be from 1 to {len(traces)}, not {t}.")
    if traces[t - 1].how == "prompt":
        raise ConfigError(f"step {t} feeds the prompt; fork at a generated step.")
    changed = replace(traces[t - 1], token=model.vocab.tokens[token_id], token_id=token_id,
                      how="forced", q=traces[t - 1].probs, kept=tuple(range(len(model.vocab))),
                      draw=None)
    prompt = [traces[0].input_id] + [tr.token_id for tr in traces if tr.how == "prompt"]
    return _run(model, prompt, traces[: t - 1] + [changed], rule, max_tokens, seed, sample, {})


def _run(model, ids, done, rule, max_tokens, seed, sample, forced) -> list[StepTrace]:
    """Continue a path: ``done`` holds the steps already taken (possibly none)."""
    params, vocab = model.params, model.vocab
    eos = vocab.id(EOS) if EOS in vocab else -1
    u = draws(seed, sample, len(ids) - 1 + max_tokens)
    traces = list(done)
    H = params.W_h.shape[0]
    while True:
        t = len(traces) + 1
        if traces:
            last = traces[-1]
            generated = t - len(ids)  # tokens generated so far, the last one included
            if last.token_id == eos and last.how != "prompt" or generated >= max_tokens:
                return traces
            input_id, h_prev = last.token_id, last.h
        else:
            input_id, h_prev = ids[0], np.zeros(H, params.W_h.dtype)
        f = forward_step(params, input_id, h_prev)
        if t < len(ids):
            choice = (ids[t], "prompt", None, None, None)
        elif t in forced:
            choice = (forced[t], "forced", None, None, None)
        else:
            choice = pick(f.logits, f.probs, rule, u[t - 1])
        token_id, how, q, kept, draw = choice
        traces.append(make_trace(t, params, vocab, input_id, f, token_id, how, q, kept, draw))


def teacher_forced(model: Model, tokens) -> list[StepTrace]:
    """Feed a whole known sequence (for example a training sentence): at each step the 'chosen'
    token is the true next one (how='prompt'), so y_t shows what the model gives the truth."""
    ids = model.vocab.encode(list(tokens))
    if len(ids) < 2:
        raise VocabularyError("teacher forcing needs at least two tokens.")
    H = model.params.W_h.shape[0]
    h = np.zeros(H, model.params.W_h.dtype)
    traces = []
    for t in range(1, len(ids)):
        f = forward_step(model.params, ids[t - 1], h)
        traces.append(make_trace(t, model.params, model.vocab, ids[t - 1], f, ids[t], "prompt"))
        h = f.h
    return traces


def text_of(model: Model, traces: list[StepTrace]) -> str:
    """The whole text: the first input, then every chosen token."""
    return decode([traces[0].input] + [tr.token for tr in traces], model.level) if traces else ""


def traces_json(model: Model, traces: list[StepTrace]) -> dict:
    """The CLI's ``generate --json`` document: {"vocab", "text", "steps"}, one step per token fed
    in, each step's arrays in vocabulary order (see ``StepTrace.to_json``)."""
    return {
        "vocab": list(model.vocab.tokens),
        "text": text_of(model, traces),
        "steps": [tr.to_json(model.vocab.tokens) for tr in traces],
    }


def log_prob(traces: list[StepTrace]) -> float:
    """Sum of log y_t(chosen) over generated (non-prompt) steps."""
    return float(sum(np.log(max(tr.p_token, 1e-300)) for tr in traces if tr.how != "prompt"))


def regenerates(model: Model, first_sentence) -> tuple[bool, str]:
    """Does greedy generation from the sentence's first token give back the whole sentence?

    ``first_sentence``: its tokens (word level ending in ``</s>``). Returns (yes/no, the text
    greedy generation produced), for the sidebar's one-line health check of a model.
    """
    tokens = list(first_sentence)
    if len(tokens) < 2 or any(t not in model.vocab for t in tokens):
        return False, ""
    traces = generate(model, tokens[:1], GREEDY, max_tokens=len(tokens) - 1)
    return [tr.token for tr in traces] == tokens[1:], text_of(model, traces)
