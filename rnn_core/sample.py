"""Picking the next token, and autoregressive generation built on it.

The model gives o_t and y_t; a ``Rule`` turns them into a token: greedy (the argmax), or a
sample from q_t, the distribution ``rnn_core.filters.sampling_distribution`` makes (repetition
penalty, temperature, top-k, top-p, min-p, typical-p, in that order). Each step's random number
comes from a fixed per-(seed, sample) sequence, u_1, u_2, ..., so forcing a token at step k
changes nothing before k and the steps after it meet the same random numbers: the fork is
comparable to the original.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from . import json_stream, limits
from .errors import ConfigError, VocabularyError
from .filters import sampling_distribution
from .model import Model
from .rule import GREEDY, Rule
from .step import NO_IDS, Forward, Pick, StepTrace, forward_step, make_trace, rank_of
from .tokens import EOS, decode, tokenize_prompt


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
    """Inverse CDF: the token whose slice of [0, 1) holds u (see ``slices``); if rounding lets
    two slices hold it, the lower id; u past the top by rounding: the last token stacked.

    The same bounds as ``slices`` without sorting the ids (a stable argsort costs ~20 times a
    sort at V = 20,000, and was most of a sampled step): the bounds, position by position in
    the stack, are the cumulative sums of the sorted values; the k-th position among equal
    values holds the k-th id with that value, since ties are stacked in vocabulary order.
    """
    values = np.sort(q)[::-1]  # q[order] for slices' order
    hi = np.cumsum(values)
    lo = hi - values
    positions = np.flatnonzero((lo <= u) & (u < hi) & (values > 0))
    if not len(positions):
        positions = np.flatnonzero(values > 0)[-1:]
    return min(_stacked_id(q, values, int(p)) for p in positions)


def _stacked_id(q: np.ndarray, values: np.ndarray, position: int) -> int:
    """The id stacked at ``position`` (values = q sorted from the top, as ``slices`` stacks it)."""
    v = values[position]
    first = int(np.searchsorted(-values, -v, side="left"))  # the first position holding v
    return int(np.flatnonzero(q == v)[position - first])


def pick(logits: np.ndarray, probs: np.ndarray, rule: Rule, u: float, context: Sequence[int] = ()) -> Pick:
    """The next token under ``rule`` for one step: logits o_t (V,), probs y_t (V,), the step's
    random number u, and ``context``, the ids fed in so far (for the repetition penalty).

    Greedy takes the argmax of y_t (of softmax of the penalised o_t when a penalty is on); a
    sample draws from q_t by inverse CDF with u (see ``slices``).
    """
    if rule.is_greedy:
        if not rule.penalises:
            return Pick(int(np.argmax(probs)), "greedy")
        d = sampling_distribution(logits, Rule("sample", repetition_penalty=rule.repetition_penalty), context)
        return Pick(int(np.argmax(d.q)), "greedy", q=d.q, penalised=d.penalised)
    d = sampling_distribution(logits, rule, context, probs=probs)
    return Pick(draw_token(d.q, u), "sampled", q=d.q, stages=d.stages, draw=float(u), penalised=d.penalised)


def draws(seed: int, sample: int, n: int) -> np.ndarray:
    """u_1..u_n in [0, 1) for sample number ``sample`` under ``seed``."""
    return np.random.default_rng([seed, sample]).random(n)


def prompt_ids(model: Model, prompt) -> list[int]:
    """Ids of a prompt given as text or as a list of tokens.

    VocabularyError if it is empty or holds an unknown token; ConfigError if it is longer than
    ``limits.PROMPT_TOKENS`` allows (every prompt token costs a step with two V-long arrays).
    """
    return token_ids(model, prompt, limits.PROMPT_TOKENS.high, "prompt")


def token_ids(model: Model, text, max_len: int, what: str = "text") -> list[int]:
    """Ids of ``text`` (a string, split at the model's level, or a list of tokens).

    VocabularyError if it is empty or holds an unknown token; ConfigError if it has more than
    ``max_len`` tokens (the message names ``what``: "the prompt has 501 tokens; ...").
    """
    tokens = tokenize_prompt(text, model.level) if isinstance(text, str) else list(text)
    if not tokens:
        raise VocabularyError(f"the {what} is empty; type at least one known word to start from.")
    if len(tokens) > max_len:
        raise ConfigError(f"the {what} has {len(tokens):,} tokens; the limit is {max_len:,}. Shorten the {what}.")
    return model.vocab.encode(tokens)


def _check_settings(model: Model, rule: Rule, max_tokens: int, seed: int, sample: int) -> None:
    rule.check_vocab(len(model.vocab))
    limits.MAX_TOKENS.check(max_tokens)
    limits.SEED.check(seed)
    if not limits.is_number(sample, numbers.Integral) or sample < 0:
        raise ConfigError(f"sample must be a whole number from 0 up, not {sample!r}.")


def _forced_in_vocab(model: Model, forced: dict[int, int] | None) -> dict[int, int]:
    for t, token_id in (forced or {}).items():
        if not 0 <= token_id < len(model.vocab):
            raise VocabularyError(f"forced token id {token_id} at step {t} is outside the vocabulary.")
    return dict(forced or {})


def generate(model: Model, prompt, rule: Rule = GREEDY, *, max_tokens: int = limits.MAX_TOKENS.default,
             seed: int = limits.SEED.default, sample: int = 0,
             forced: dict[int, int] | None = None) -> list[StepTrace]:
    """Autoregressive generation: one ``StepTrace`` per token fed in.

    The prompt's tokens are fed in as given (how='prompt'); after the last one each next token is
    picked by ``rule`` (or taken from ``forced[t]``, how='forced') and fed back, until ``</s>`` is
    picked or ``max_tokens`` tokens have been generated. h_0 = 0. Sample number ``sample`` under
    ``seed`` draws its own random numbers (``draws``), so samples are reproducible one by one.
    """
    return list(iter_generate(model, prompt, rule, max_tokens=max_tokens, seed=seed, sample=sample, forced=forced))


def iter_generate(model: Model, prompt, rule: Rule = GREEDY, *, max_tokens: int = limits.MAX_TOKENS.default,
                  seed: int = limits.SEED.default, sample: int = 0,
                  forced: dict[int, int] | None = None) -> Iterator[StepTrace]:
    """``generate`` one step at a time: the same steps, each made when asked for, so a caller
    that writes each step out and drops it (the CLI's ``--json``) holds one step's arrays at a
    time. The arguments are checked at once, before the first step."""
    _check_settings(model, rule, max_tokens, seed, sample)
    ids = prompt_ids(model, prompt)
    return _steps(model, ids=ids, done=[], rule=rule, max_tokens=max_tokens, seed=seed, sample=sample,
                  forced=_forced_in_vocab(model, forced), record=make_trace)


def fork(model: Model, traces: list[StepTrace], t: int, token, rule: Rule = GREEDY, *,
         max_tokens: int = limits.MAX_TOKENS.default, seed: int = limits.SEED.default,
         sample: int = 0) -> list[StepTrace]:
    """The path ``traces`` with ``token`` forced at step t (1-based); steps before t are reused,
    step t keeps its numbers and only changes its choice, steps after it are recomputed."""
    _check_settings(model, rule, max_tokens, seed, sample)
    token_id = token if isinstance(token, int) else model.vocab.encode([token])[0]
    if not 0 <= token_id < len(model.vocab):
        raise VocabularyError(f"token id {token_id} is outside the vocabulary of {len(model.vocab)}.")
    if not 1 <= t <= len(traces):
        raise ConfigError(f"step must be from 1 to {len(traces)}, not {t}.")
    if traces[t - 1].how == "prompt":
        raise ConfigError(f"step {t} feeds the prompt; fork at a generated step.")
    changed = replace(traces[t - 1], token=model.vocab.tokens[token_id], token_id=token_id, how="forced",
                      q=traces[t - 1].probs, stages=(), draw=None, penalised=NO_IDS)
    return continue_path(model, traces, t, changed, rule, max_tokens=max_tokens, seed=seed, sample=sample)


def continue_path(model: Model, traces: list[StepTrace], t: int, changed: StepTrace, rule: Rule = GREEDY, *,
                  max_tokens: int = limits.MAX_TOKENS.default, seed: int = limits.SEED.default,
                  sample: int = 0) -> list[StepTrace]:
    """``traces`` with step t (1-based) replaced by ``changed`` (a forced pick, an edited h_{t-1}):
    the steps before t are kept, the ones after it recomputed from ``changed``'s h and pick under
    ``rule``, the rest of the prompt (read from ``traces``) still fed as given, until ``</s>`` or
    ``max_tokens`` generated tokens (counted from the end of the prompt, as in ``generate``)."""
    _check_settings(model, rule, max_tokens, seed, sample)
    prompt = [traces[0].input_id] + [tr.token_id for tr in traces if tr.how == "prompt"]
    return _run(model, ids=prompt, done=list(traces[: t - 1]) + [changed], rule=rule, max_tokens=max_tokens,
                seed=seed, sample=sample, forced={}, record=make_trace)


def ends_with_eos(steps: Sequence) -> bool:
    """Did the path end because ``</s>`` was picked (not merely fed in by the prompt)?

    ``steps``: ``StepTrace``s or ``StepSummary``s, in order.
    """
    return bool(steps) and steps[-1].token == EOS and steps[-1].how != "prompt"


def _choose(t: int, ids: list[int], forced: dict[int, int], f: Forward, rule: Rule, u: float,
            context: list[int]) -> Pick:
    """Step t's pick: the prompt's next token, a forced one, or ``rule``'s."""
    if t < len(ids):
        return Pick(ids[t], "prompt")
    if t in forced:
        return Pick(forced[t], "forced")
    return pick(f.logits, f.probs, rule, u, context)


def _run(model: Model, *, ids: list[int], done: list, rule: Rule, max_tokens: int, seed: int,
         sample: int, forced: dict[int, int], record: Callable) -> list:
    """``done`` followed by every step ``_steps`` makes after it."""
    return list(done) + list(_steps(model, ids=ids, done=done, rule=rule, max_tokens=max_tokens, seed=seed,
                                    sample=sample, forced=forced, record=record))


def _steps(model: Model, *, ids: list[int], done: list, rule: Rule, max_tokens: int, seed: int,
           sample: int, forced: dict[int, int], record: Callable) -> Iterator:
    """The new steps of a path whose steps ``done`` are already taken (possibly none), one at
    a time, until ``</s>`` is picked or ``max_tokens`` tokens are generated.

    ``ids``: the prompt's ids; ``record(t=, params=, vocab=, input_id=, forward=, pick=)`` turns
    each new step into what the path keeps (``make_trace`` or ``make_summary``).
    """
    params, vocab = model.params, model.vocab
    u = draws(seed, sample, len(ids) - 1 + max_tokens)
    last, t = (done[-1] if done else None), len(done)
    context = [ids[0]] + [s.token_id for s in done]  # every token fed in so far, and the next one
    h = last.h if last is not None else np.zeros(params.W_h.shape[0], params.W_h.dtype)
    while not (last is not None and ends_with_eos([last])) and t - (len(ids) - 1) < max_tokens:
        t += 1
        f = forward_step(params, context[-1], h)
        choice = _choose(t, ids, forced, f, rule, u[t - 1], context)
        last = record(t=t, params=params, vocab=vocab, input_id=context[-1], forward=f, pick=choice)
        yield last
        context.append(choice.token_id)
        h = f.h


@dataclass(frozen=True)
class StepSummary:
    """What a list of samples needs of one step, without any V-long array: the same names as
    ``StepTrace`` (``text_of``, ``log_prob`` and ``ends_with_eos`` accept either)."""

    t: int
    input: str
    input_id: int
    token: str
    token_id: int
    how: str  # 'prompt' | 'greedy' | 'sampled' | 'forced'
    p_token: float  # y_t of the chosen token
    q_token: float  # q_t of the chosen token (the distribution it was drawn from)
    rank: int  # 1 for the most probable token under y_t
    draw: float | None  # u_t of a sampled step

    @property
    def log_p(self) -> float:
        """ln y_t(chosen), floored at ln 1e-300 like ``log_prob``."""
        return float(np.log(max(self.p_token, 1e-300)))


def make_summary(*, t: int, params, vocab, input_id: int, forward: Forward, pick: Pick) -> StepSummary:
    """``make_trace``'s counterpart that keeps a handful of numbers instead of the arrays."""
    y, token_id = forward.probs, pick.token_id
    q = y if pick.q is None else pick.q
    return StepSummary(t=t, input=vocab.tokens[input_id], input_id=input_id, token=vocab.tokens[token_id],
                       token_id=token_id, how=pick.how, p_token=float(y[token_id]), q_token=float(q[token_id]),
                       rank=rank_of(y, token_id), draw=pick.draw)


def generate_summary(model: Model, prompt, rule: Rule = GREEDY, *, max_tokens: int = limits.MAX_TOKENS.default,
                     seed: int = limits.SEED.default, sample: int = 0,
                     forced: dict[int, int] | None = None) -> list[StepSummary]:
    """``generate`` keeping a ``StepSummary`` per step instead of a ``StepTrace``: the very same
    loop, so for the same arguments it picks exactly the same tokens. A page can keep the
    summaries of many samples (under 200 bytes per step instead of 16 V or more) and call
    ``generate`` with the same (seed, sample) for the full traces of the one being inspected."""
    _check_settings(model, rule, max_tokens, seed, sample)
    ids = prompt_ids(model, prompt)
    return _run(model, ids=ids, done=[], rule=rule, max_tokens=max_tokens, seed=seed, sample=sample,
                forced=_forced_in_vocab(model, forced), record=make_summary)


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
        traces.append(make_trace(t=t, params=model.params, vocab=model.vocab, input_id=ids[t - 1], forward=f,
                                 pick=Pick(ids[t], "prompt")))
        h = f.h
    return traces


def text_of(model: Model, steps: Sequence) -> str:
    """The whole text: the first input, then every chosen token (``StepTrace``s or ``StepSummary``s)."""
    return decode([steps[0].input] + [s.token for s in steps], model.level) if steps else ""


def traces_document(model: Model, traces: Iterable[StepTrace]) -> dict:
    """The CLI's ``generate --json`` document, {"vocab", "steps", "text"}, as a ``json_stream``
    document: "steps" is written one step at a time as ``traces`` yields them (one step per
    token fed in, each step's arrays in vocabulary order, see ``StepTrace.to_json``), and "text"
    once they have all passed."""
    vocab, tokens = model.vocab.tokens, []

    def steps() -> Iterator[dict]:
        for tr in traces:
            tokens.extend([tr.input, tr.token] if not tokens else [tr.token])
            yield tr.to_json(vocab)

    return {"vocab": list(vocab), "steps": steps(), "text": lambda: decode(tokens, model.level)}


def traces_json(model: Model, traces: list[StepTrace]) -> dict:
    """``traces_document`` as plain values: {"vocab", "steps", "text"}."""
    return json_stream.resolved(traces_document(model, traces))


def log_prob(steps: Sequence) -> float:
    """Sum of ln y_t(chosen) over generated (non-prompt) steps (``StepTrace``s or ``StepSummary``s)."""
    return float(sum(np.log(max(s.p_token, 1e-300)) for s in steps if s.how != "prompt"))


def regenerates(model: Model, first_sentence) -> tuple[bool, str]:
    """Does greedy generation from the sentence's first token give back the sentence?

    ``first_sentence``: its tokens (word level ending in ``</s>``). Returns (yes/no, the text
    greedy generation produced), for the sidebar's one-line health check of a model. Only the
    first ``limits.MAX_TOKENS.high`` tokens after the first one are checked (a longer sentence
    counts as regenerated when its beginning is), so a very long first line costs no more than
    any generation and never raises.
    """
    tokens = list(first_sentence)
    if len(tokens) < 2 or any(t not in model.vocab for t in tokens):
        return False, ""
    n = min(len(tokens) - 1, limits.MAX_TOKENS.high)
    traces = generate(model, tokens[:1], GREEDY, max_tokens=n)
    return [tr.token for tr in traces] == tokens[1 : n + 1], text_of(model, traces)
