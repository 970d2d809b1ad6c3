"""Guess first: the class commits a guess of each pick before it is shown, and keeps a score.

A guess is judged against the step's trace: was it the pick, and was it among y_t's three most
probable tokens. Pure functions of traces and guesses ({step: token id}); the page keeps the
guesses in session state (``ui.step.state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from rnn_core import StepTrace
from ui.common.text import show_token

TOP = 3  # "in the top 3"


@dataclass(frozen=True)
class Verdict:
    """How one guess fared: the guessed token's rank in y_t (1 = most probable)."""

    guess: int  # token id
    picked: bool  # the guess was the token the step picked
    rank: int

    @property
    def in_top(self) -> bool:
        return self.rank <= TOP


@dataclass(frozen=True)
class Score:
    """The running score of a walk: guesses made, how many were the pick, how many in the top 3."""

    guessed: int
    picked: int
    in_top: int

    def text(self) -> str:
        return (f"{self.picked} of {self.guessed} guesses were the pick · "
                f"{self.in_top} of {self.guessed} were in the top {TOP}")


def rank(tr: StepTrace, token_id: int) -> int:
    """1 for y_t's most probable token, 2 for the next, ... (ties share the better rank)."""
    return int((tr.probs > tr.probs[token_id]).sum()) + 1


def judge(tr: StepTrace, guess: int) -> Verdict:
    return Verdict(guess=guess, picked=guess == tr.token_id, rank=rank(tr, guess))


def score(traces: list[StepTrace], guesses: Mapping[int, int | None]) -> Score:
    """The score over the steps of ``traces`` that have a committed guess (None: no guess made)."""
    verdicts = [judge(traces[t - 1], g) for t, g in guesses.items() if g is not None and t <= len(traces)]
    return Score(len(verdicts), sum(v.picked for v in verdicts), sum(v.in_top for v in verdicts))


def verdict_text(v: Verdict, vocab: tuple[str, ...], picked: str) -> str:
    """One line for the class, as text, e.g. '✅ Your guess “deep” was the pick.'"""
    guess = f"“{show_token(vocab[v.guess])}”"
    if v.picked:
        return f"✅ Your guess {guess} was the pick."
    head = f"Your guess {guess} was not the pick (“{show_token(picked)}”)"
    if v.in_top:
        return f"🟡 {head}, but it was in the top {TOP} of y (rank {v.rank})."
    return f"❌ {head}; it was rank {v.rank} of y."
