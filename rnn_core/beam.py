"""Beam search: keep the B most probable partial sentences at every step, not just the best one.

Greedy takes the most probable token at each step and can walk past a sentence that is more
probable as a whole; beam search keeps ``width`` hypotheses alive and extends each of them by
every token of the vocabulary. Every step is recorded (kept and pruned candidates, each with its
parent), so a page can draw the beam as a tree beside greedy's path.

The variant (as in Jurafsky & Martin's description of beam decoding): a hypothesis that picks
``</s>`` leaves the beam as a complete sentence and takes its slot with it, so the beam narrows
by one; the search ends when no slot is left or after ``max_tokens`` generated tokens (the
hypotheses still alive then are complete too, cut at the limit). The best complete hypothesis
by score wins. All candidates of one step have the same length, so length normalisation never
changes what is pruned: it only changes which complete sentence wins.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .errors import ConfigError
from .limits import BEAM_WIDTH, MAX_TOKENS, is_number
from .model import Model
from .sample import generate, generate_summary, iter_generate, log_prob, prompt_ids, traces_document
from .step import StepTrace, forward_step
from .tokens import EOS

MAX_CANDIDATES = 200_000  # width x V: candidates scored and sorted at one step
MAX_PRUNED = 1000  # pruned candidates recorded per step (the best ones); beyond it only counted
TINY = 1e-300  # log y of a probability that underflowed to 0, as ``sample.log_prob`` takes it


@dataclass(frozen=True)
class Hypothesis:
    """One partial (or complete) continuation of the prompt."""

    ids: tuple[int, ...]  # the tokens generated after the prompt
    log_p: float  # sum of log y_t(token) over ids: log P(ids | prompt)
    score: float  # what the beam ranks: log_p, or log_p / len(ids) with length normalisation
    finished: bool  # True when ids ends with </s>
    parent: int | None  # index of the hypothesis it extends in the previous step's kept; None at the first


@dataclass(frozen=True)
class BeamStep:
    """The candidates scored at step t (t as in ``StepTrace.t``: the step whose y_t scored the
    new token), each one a kept or pruned hypothesis, best score first."""

    t: int
    kept: tuple[Hypothesis, ...]  # at most the slots left (width minus the sentences finished before)
    pruned: tuple[Hypothesis, ...]  # the best ``max_pruned`` of those not kept
    n_pruned: int  # how many candidates were pruned in all (>= len(pruned))


@dataclass(frozen=True)
class BeamResult:
    """What ``beam_search`` found, step by step, and greedy's path from the same prompt."""

    best: Hypothesis  # the complete hypothesis with the highest score
    complete: tuple[Hypothesis, ...]  # every complete hypothesis, best score first (best is complete[0])
    steps: tuple[BeamStep, ...]
    traces: list[StepTrace]  # the prompt and the best path as ordinary steps (its tokens how='forced')
    greedy: list[StepTrace]  # generate(model, prompt, GREEDY, max_tokens): the path to compare with
    width: int
    length_norm: bool

    @property
    def greedy_log_p(self) -> float:
        """log P(greedy's tokens | prompt), summed like ``Hypothesis.log_p``."""
        return float(sum(log_y(tr.probs)[tr.token_id] for tr in self.greedy if tr.how != "prompt"))


def log_y(probs: np.ndarray) -> np.ndarray:
    """log y_t (V,) in float64; a probability that underflowed to 0 counts as 1e-300 (finite)."""
    return np.log(np.maximum(np.asarray(probs, dtype=np.float64), TINY))


def check_width(width, vocab_size: int) -> None:
    """ConfigError unless width is inside ``limits.BEAM_WIDTH`` and width x V <= MAX_CANDIDATES."""
    BEAM_WIDTH.check(width)
    if width * vocab_size > MAX_CANDIDATES:
        raise ConfigError(
            f"beam width {width} x vocabulary {vocab_size:,} = {width * vocab_size:,} candidates per step; "
            f"the limit is {MAX_CANDIDATES:,}. Use a beam width of at most {MAX_CANDIDATES // vocab_size}."
        )


@dataclass(frozen=True)
class _Live:
    """A hypothesis still being extended, with the state its next step needs."""

    hyp: Hypothesis
    h: np.ndarray  # (H,) h after feeding the hypothesis's last token
    log_y: np.ndarray  # (V,) log y of the token after it


class BeamRun:
    """A beam search of width ``width`` from ``prompt`` (text or tokens, fed in as given; h_0 = 0),
    made one step at a time: iterate ``steps()`` once; ``complete`` fills as it goes.

    score = log P(ids | prompt), or that divided by len(ids) (the generated tokens, ``</s>``
    included) when ``length_norm``. Width 1 is greedy; a width of at least V^max_tokens prunes
    nothing, so it finds the most probable continuation of all (exhaustive search). The arguments
    are checked at once: ConfigError / VocabularyError for a bad width, max_tokens, max_pruned or
    prompt.
    """

    def __init__(self, model: Model, prompt, width: int, max_tokens: int = 20, length_norm: bool = False,
                 max_pruned: int = MAX_PRUNED):
        check_width(width, len(model.vocab))
        if not (is_number(max_pruned, numbers.Integral) and 0 <= max_pruned <= MAX_CANDIDATES):
            raise ConfigError(f"max_pruned must be a whole number from 0 to {MAX_CANDIDATES:,}, not {max_pruned!r}.")
        MAX_TOKENS.check(max_tokens)
        self.model, self.prompt, self.width, self.max_tokens = model, prompt, width, max_tokens
        self.length_norm, self.max_pruned = length_norm, max_pruned
        self.prompt_ids = prompt_ids(model, prompt)
        self.complete: list[Hypothesis] = []

    def steps(self) -> Iterator[BeamStep]:
        """Every step's kept and pruned candidates, best score first; a hypothesis that picks
        ``</s>`` (or reaches max_tokens) goes to ``complete`` as its step is made."""
        n_prompt, width, max_tokens = len(self.prompt_ids), self.width, self.max_tokens
        h = np.zeros(self.model.params.W_h.shape[0], self.model.params.W_h.dtype)
        for token_id in self.prompt_ids:  # the last prompt token's y_t scores token 1
            f = forward_step(self.model.params, token_id, h)
            h = f.h
        eos = self.model.vocab.id(EOS) if EOS in self.model.vocab else -1
        live = [_Live(Hypothesis((), 0.0, 0.0, False, None), f.h, log_y(f.probs))]
        for k in range(1, max_tokens + 1):
            step = _extend(live, width - len(self.complete), k, n_prompt - 1 + k, eos, self.length_norm,
                           self.max_pruned)
            self.complete += [hyp for hyp in step.kept if hyp.finished or k == max_tokens]
            yield step
            # parent None: the prompt, the only live hypothesis at the first step
            live = [_advance(self.model, live[hyp.parent or 0], hyp) for hyp in step.kept if not hyp.finished]
            if not live:
                break

    def ranked(self) -> tuple[Hypothesis, ...]:
        """The complete hypotheses, best score first (ties keep the earlier one); after ``steps``."""
        return tuple(sorted(self.complete, key=lambda hyp: -hyp.score))

    def best_traces(self) -> Iterator[StepTrace]:
        """The prompt and the best path as ordinary steps (its tokens how='forced'), one at a time,
        made once the first is asked for (after ``steps``)."""
        best, n_prompt = self.ranked()[0], len(self.prompt_ids)
        forced = {n_prompt + i: v for i, v in enumerate(best.ids)}
        yield from iter_generate(self.model, self.prompt, max_tokens=len(best.ids), forced=forced)


def beam_search(model: Model, prompt, width: int, max_tokens: int = 20, length_norm: bool = False,
                max_pruned: int = MAX_PRUNED) -> BeamResult:
    """A whole ``BeamRun`` with greedy's path from the same prompt, kept as a ``BeamResult``."""
    run = BeamRun(model, prompt, width, max_tokens, length_norm, max_pruned)
    steps = tuple(run.steps())
    ranked = run.ranked()
    greedy = generate(model, prompt, max_tokens=max_tokens)
    return BeamResult(ranked[0], ranked, steps, list(run.best_traces()), greedy, width, length_norm)


def _extend(live: list[_Live], slots: int, k: int, t: int, eos: int, length_norm: bool,
            max_pruned: int) -> BeamStep:
    """Score every one-token extension of the live hypotheses (the k-th generated token, chosen
    at step t) and keep the best ``slots``; ties keep the earlier parent, then the lower id."""
    log_p = np.stack([h.hyp.log_p + h.log_y for h in live])  # (L, V)
    V = log_p.shape[1]
    log_p = log_p.ravel()
    score = log_p / k if length_norm else log_p
    order = np.argsort(-score, kind="stable")

    def hypothesis(c: int) -> Hypothesis:
        parent, v = divmod(int(c), V)
        return Hypothesis(live[parent].hyp.ids + (v,), float(log_p[c]), float(score[c]), v == eos,
                          None if k == 1 else parent)  # the first step extends the prompt itself

    kept = tuple(hypothesis(c) for c in order[:slots])
    pruned = tuple(hypothesis(c) for c in order[slots : slots + max_pruned])
    return BeamStep(t, kept, pruned, len(order) - len(kept))


def _advance(model: Model, parent: _Live, hyp: Hypothesis) -> _Live:
    """Feed the hypothesis's new token: h and log y for its next step."""
    f = forward_step(model.params, hyp.ids[-1], parent.h)
    return _Live(hyp, f.h, log_y(f.probs))


def hypothesis_json(vocab: tuple[str, ...], hyp: Hypothesis) -> dict:
    return {"tokens": [vocab[i] for i in hyp.ids], "log_p": hyp.log_p, "score": hyp.score,
            "finished": hyp.finished, "parent": hyp.parent}


def beam_document(run: BeamRun) -> dict:
    """The CLI's ``generate --strategy beam --json`` document as a ``json_stream`` document:
    ``traces_document``'s keys for the prompt and the best path, and "beam": every step's kept
    and pruned hypotheses (tokens generated after the prompt, log p, score, finished, parent
    index into the previous step's kept), written as each step is made, then the complete ones
    best first, the best, and greedy's tokens and log p (from summaries: no V-long arrays)."""
    vocab = run.model.vocab.tokens
    as_json = lambda hyps: [hypothesis_json(vocab, h) for h in hyps]  # noqa: E731

    def greedy() -> dict:
        path = generate_summary(run.model, run.prompt, max_tokens=run.max_tokens)
        return {"tokens": [s.token for s in path if s.how != "prompt"], "log_p": log_prob(path)}

    beam = {
        "width": run.width,
        "length_norm": run.length_norm,
        "steps": ({"t": s.t, "kept": as_json(s.kept), "pruned": as_json(s.pruned), "n_pruned": s.n_pruned}
                  for s in run.steps()),
        "complete": lambda: as_json(run.ranked()),
        "best": lambda: hypothesis_json(vocab, run.ranked()[0]),
        "greedy": greedy,
    }
    best = traces_document(run.model, run.best_traces())  # its steps start once the beam's are written
    return {"vocab": best["vocab"], "beam": beam, "steps": best["steps"], "text": best["text"]}
