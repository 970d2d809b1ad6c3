"""The Generate page's session state: every key it uses, its settings record, and what it keeps.

A session keeps, per slot, only the last result (keyed to the model version and the settings,
so moving a slider never regenerates and changing a setting does):

- ``RUN``: the samples as ``rnn_core.StepSummary`` lists (under 200 bytes a step, no V-long array);
- ``COMPARE``: the summaries of the three rules compared side by side;
- ``INSPECTED``: the full traces (``StepTrace``, about 8 to 16 V bytes a step) of the one sample
  being inspected, regenerated with the same seed and sample number, so the same picks: its
  first ``inspectable_steps`` steps, at most MAX_INSPECTED_BYTES;
- ``VIEW_RESULT``: the result of the heavier view shown last (tree, beam or influence), one at a time.

What one run of the page computes is bounded too: samples x steps x V (every step of every
sample computes V probabilities, and sorts them when it samples) at most MAX_WORK, a few seconds
of the server's CPU; a larger run is refused with the settings that would fit
(``check_work``). ``benchmarks/generate_session.py`` measures both at the largest settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import streamlit as st

import rnn_core as rc
from ui.common.session import cached
from ui.generate.keys import (
    INSPECTED,
    RUN,
)

MAX_SAMPLES = 50  # samples per run: their summaries are what the sample list keeps
MAX_WORK = 100_000_000  # probabilities one run may compute (samples x steps x V): about 2 s of a core
MAX_INSPECTED_BYTES = 24 * 2**20  # full traces kept of the inspected sample: 100 steps at V = 20,000 in float32


@dataclass(frozen=True)
class Settings:
    """What the samples depend on, besides the model."""

    prompt: str
    rule: rc.Rule
    max_tokens: int
    n: int  # samples 0..n-1 of ``seed``
    seed: int
    weights: int  # the training step whose weights generate (the model's steps_trained: its own)

    def key(self, version: int) -> tuple:
        return (version, self.prompt, self.rule, self.max_tokens, self.n, self.seed, self.weights)


def prompt_steps(model: rc.Model, s: Settings) -> int:
    """Steps a sample spends feeding the prompt in before its first pick (its tokens but the
    last, which is the first pick's input); VocabularyError or ConfigError for a bad prompt."""
    return len(rc.decoding.prompt_ids(model, s.prompt)) - 1


def affordable(steps: int, V: int) -> int:
    """How many samples of ``steps`` steps over a vocabulary of V fit in MAX_WORK."""
    return MAX_WORK // (max(steps, 1) * V)


def check_work(n: int, what: str, model: rc.Model, s: Settings) -> None:
    """ConfigError unless n samples of this prompt and max tokens fit in MAX_WORK, saying which
    number of samples or max tokens would."""
    V, fed = len(model.vocab), prompt_steps(model, s)
    if n <= affordable(fed + s.max_tokens, V):
        return
    fewer, shorter = affordable(fed + s.max_tokens, V), MAX_WORK // (n * V) - fed
    fits = ([f"at most {fewer:,} {what}"] if fewer >= 1 else []) + \
           ([f"max tokens of at most {shorter:,}"] if shorter >= 1 else ["a shorter prompt"])
    raise rc.ConfigError(
        f"{n:,} {what} of up to {fed + s.max_tokens:,} steps over a vocabulary of {V:,} tokens would compute "
        f"{n * (fed + s.max_tokens) * V:,} probabilities; this page computes at most {MAX_WORK:,} per run (a "
        f"few seconds of the server, which the whole class shares). Use {' or '.join(fits)}.")


def run(model: rc.Model, version: int, s: Settings) -> list[list[rc.decoding.StepSummary]]:
    """The n samples as summaries: sample i is ``rc.decoding.generate_summary(..., seed, sample=i)``;
    ConfigError when they would pass MAX_WORK (``check_work``)."""
    check_work(s.n, "samples", model, s)
    return cached(RUN, s.key(version), lambda: [
        rc.decoding.generate_summary(model, s.prompt, s.rule, max_tokens=s.max_tokens, seed=s.seed, sample=i)
        for i in range(s.n)])


def inspectable_steps(model: rc.Model) -> int:
    """How many steps of the inspected sample keep their full traces (MAX_INSPECTED_BYTES: the
    V-long logits, y_t and q_t of each step), at least one."""
    V, itemsize = len(model.vocab), model.params.W_y.dtype.itemsize
    return max(1, MAX_INSPECTED_BYTES // (3 * V * itemsize))


def inspected(model: rc.Model, version: int, s: Settings, sample: int) -> list[rc.StepTrace]:
    """Full traces of sample number ``sample`` (1-based, as the list shows it), its first
    ``inspectable_steps``: ``rc.decoding.iter_generate`` with the same seed and sample index as its
    summary, so the same tokens."""
    return cached(INSPECTED, (s.key(version), sample), lambda: list(islice(rc.decoding.iter_generate(
        model, s.prompt, s.rule, max_tokens=s.max_tokens, seed=s.seed, sample=sample - 1), inspectable_steps(model))))


def set_in_range(key: str, low: int, high: int, default: int) -> None:
    """Before a slider over [low, high] is drawn: its kept value moved inside the range (a new run
    may have fewer samples or steps than the one it was set on)."""
    value = st.session_state.get(key, default)
    st.session_state[key] = min(max(value, low), high)
