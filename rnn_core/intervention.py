"""Interventions: edit the memory h_{t-1} at one step of a path and recompute that step.

The page's question: "what if the network had forgotten this unit (or everything) here?" The
step keeps its input token x_t; only h_{t-1} changes, so W_x x_t and b_h stay and the new
W_h h_{t-1}, a_t, h_t, o_t and y_t show what the edited memory does to the prediction.

Choices (the task was silent on them):
- the edited step picks its token greedily (argmax of the new y_t, how='greedy'), whatever rule
  picked the original, since the original's rule and random numbers are not part of a trace; a
  step that fed the prompt keeps its prompt token (how='prompt').
- the edit happens once: ``continue_greedy`` carries the edited h_t forward, feeds the rest of the
  prompt as given, then generates greedily. Forced tokens of the original after step t are dropped.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .model import Model
from .sample import continue_path
from .step import Pick, StepTrace, forward_step, make_trace

KINDS = ("zero", "clamp", "reset")


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


@dataclass(frozen=True)
class HiddenEdit:
    """A change to h_{t-1}: 'zero' sets unit ``unit`` (0-based) to 0, 'clamp' sets it to ``value``
    in [-1, 1] (tanh's range: any state the network could be in), 'reset' sets all of h_{t-1} to 0.
    Build one with ``HiddenEdit.zero(i)``, ``HiddenEdit.clamp(i, v)`` or ``HiddenEdit.reset()``."""

    kind: str
    unit: int | None = None
    value: float = 0.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ConfigError(f"an edit is 'zero', 'clamp' or 'reset', not {self.kind!r}.")
        if self.kind == "reset":
            if self.unit is not None:
                raise ConfigError("'reset' sets every unit of h_{t-1} to 0; give no unit.")
        elif not (isinstance(self.unit, numbers.Integral) and _is_real(self.unit) and self.unit >= 0):
            raise ConfigError(f"the hidden unit must be a whole number >= 0, not {self.unit!r}.")
        if not (_is_real(self.value) and math.isfinite(self.value) and -1 <= self.value <= 1):
            raise ConfigError(f"a clamped unit must be a number from -1 to 1 (tanh's range), not {self.value!r}.")
        if self.kind != "clamp" and self.value != 0:
            raise ConfigError(f"'{self.kind}' sets to 0; use 'clamp' for another value.")

    @classmethod
    def zero(cls, unit: int) -> "HiddenEdit":
        return cls("zero", unit)

    @classmethod
    def clamp(cls, unit: int, value: float) -> "HiddenEdit":
        return cls("clamp", unit, value)

    @classmethod
    def reset(cls) -> "HiddenEdit":
        return cls("reset")

    def apply(self, h_prev: np.ndarray) -> np.ndarray:
        """The edited copy of h_prev (H,); h_prev itself is not changed."""
        if self.unit is not None and self.unit >= len(h_prev):
            raise ConfigError(f"hidden unit {self.unit} does not exist; units are 0 to {len(h_prev) - 1}.")
        edited = np.zeros_like(h_prev) if self.kind == "reset" else h_prev.copy()
        if self.unit is not None:
            edited[self.unit] = self.value
        return edited

    def describe(self, t: int) -> str:
        """The edit in words, units counted from 1 as people count them: 'unit 2 of h_2 = 0'
        (zero unit 1), 'unit 1 of h_2 = 0.5' (clamp unit 0), 'h_2 = 0' (reset), for step t = 3."""
        if self.kind == "reset":
            return f"h_{t - 1} = 0"
        return f"unit {self.unit + 1} of h_{t - 1} = {self.value:g}"


@dataclass(frozen=True)
class Intervention:
    """Step t of a path as it happened, and recomputed from the edited h_{t-1}.

    ``changed`` is a full ``StepTrace``: same t, input and x; its h_prev is the edited h_{t-1},
    and Wh_h, a, h, logits, probs follow from it; its token is picked as the module docstring says.
    """

    edit: HiddenEdit
    original: StepTrace
    changed: StepTrace

    @property
    def t(self) -> int:
        return self.original.t

    @property
    def probs_change(self) -> np.ndarray:
        """(V,) y_t after the edit minus y_t before it."""
        return self.changed.probs - self.original.probs


def intervene(model: Model, traces: list[StepTrace], t: int, edit: HiddenEdit) -> Intervention:
    """Recompute step t (1-based) of ``traces`` with ``edit`` applied to its h_{t-1}.

    Inputs: a path from ``generate``/``fork``/``teacher_forced`` of ``model``; t in 1..len(traces).
    Returns an ``Intervention``; ``traces`` is not changed.
    """
    if not traces:
        raise ConfigError("the path is empty; generate at least one token first.")
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 1 <= t <= len(traces):
        raise ConfigError(f"step must be from 1 to {len(traces)}, not {t!r}.")
    original = traces[t - 1]
    f = forward_step(model.params, original.input_id, edit.apply(original.h_prev))
    if original.how == "prompt":
        token_id, how = original.token_id, "prompt"
    else:
        token_id, how = int(np.argmax(f.probs)), "greedy"
    changed = make_trace(t=t, params=model.params, vocab=model.vocab, input_id=original.input_id, forward=f,
                         pick=Pick(token_id, how))
    return Intervention(edit, original, changed)


def continue_greedy(model: Model, traces: list[StepTrace], t: int, edit: HiddenEdit,
                    max_tokens: int = 20) -> list[StepTrace]:
    """The path with ``intervene(model, traces, t, edit)`` applied: steps before t as in
    ``traces``, the changed step t, then the rest of the prompt (if t fell inside it) and greedy
    steps from the edited h_t, until ``</s>`` or ``max_tokens`` generated tokens (counted from the
    end of the prompt, as in ``generate``). Returns a new list of ``StepTrace``s."""
    changed = intervene(model, traces, t, edit).changed
    return continue_path(model, traces, t, changed, max_tokens=max_tokens)
