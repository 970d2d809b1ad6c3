"""What training went through, kept with a model: the loss of every update and the weights at a
few steps (``History``), within limits, and how a history continues when training goes on.

A Model holds at most one History; ``Model.with_training`` appends to it (see there), and
``recorder.Recorder`` records one through ``train``'s callback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .weights import Params

MAX_SNAPSHOTS = 20  # weights kept through training: enough stops for a time-travel slider
MAX_SNAPSHOT_BYTES = 32_000_000  # all snapshots together: a large model keeps fewer, or none
MAX_HISTORY_STEPS = 1_000_000  # losses kept (8 MB); when training goes on past it, the oldest go


def snapshot_budget(params: Params) -> int:
    """How many snapshots of weights like ``params`` a history keeps: MAX_SNAPSHOTS, fewer when
    they would pass MAX_SNAPSHOT_BYTES together (0 for a model over MAX_SNAPSHOT_BYTES)."""
    return snapshots_of(params.nbytes)


def snapshots_of(nbytes: int) -> int:
    """``snapshot_budget`` for weights of ``nbytes`` bytes."""
    return min(MAX_SNAPSHOTS, MAX_SNAPSHOT_BYTES // max(nbytes, 1))


def spread(steps, n: int) -> list[int]:
    """Indices of ``n`` of the increasing ``steps``, as evenly spaced in steps as they can be,
    the first and the last kept (all of them when there are at most n)."""
    if len(steps) <= n:
        return list(range(len(steps)))
    if n <= 1:
        return [0] * n
    steps = np.asarray(steps)
    chosen = []
    for k, target in enumerate(np.linspace(steps[0], steps[-1], n)):
        low = chosen[-1] + 1 if chosen else 0
        high = len(steps) - (n - k)  # leave one for each target still to come
        chosen.append(int(np.clip(np.abs(steps - target).argmin(), low, high)))
    return chosen


@dataclass(frozen=True, eq=False)
class History:
    """What training went through: the loss of every update, and the weights at a few steps.

    losses: (n,) float64, losses[i] the mean cross-entropy of update ``start + i + 1``, where
        start = the model's steps_trained - n (0 when the history began with the first update;
        more when recording began on a model trained without one, or old losses were dropped).
    steps: (S,) int64, strictly increasing, each in [start, steps_trained]: when each snapshot
        was taken (steps[0] == start: the weights that training started from).
    snapshots: S ``Params`` with the model's shapes and dtype. The current weights are the
        model's own ``params`` and are not repeated here (see ``Model.checkpoints``).
    """

    losses: np.ndarray
    steps: np.ndarray
    snapshots: tuple[Params, ...]

    def then(self, later: "History", end: int) -> "History":
        """This history followed by ``later``, which starts where this one ends; ``end`` is the
        steps_trained of the model ``later`` leads to. Losses are concatenated (the oldest
        dropped past MAX_HISTORY_STEPS); snapshots merged, then thinned to the budget keeping
        them evenly spaced."""
        return bounded(np.concatenate([self.losses, later.losses]),
                       np.concatenate([self.steps, later.steps]), self.snapshots + later.snapshots, end)


def joined(earlier: History | None, later: History, end: int) -> History:
    """``later`` after ``earlier`` (if any), within the limits (see ``History.then``)."""
    if earlier is None:
        return bounded(later.losses, later.steps, later.snapshots, end)
    return earlier.then(later, end)


def bounded(losses: np.ndarray, steps: np.ndarray, snapshots: tuple[Params, ...], end: int) -> History:
    """A History within the limits: at most MAX_HISTORY_STEPS losses (the latest), one snapshot
    per step (the first given), none before the first kept loss or after ``end``, and at most
    ``snapshot_budget`` of them, evenly spaced."""
    losses = np.asarray(losses, np.float64)[-MAX_HISTORY_STEPS:]
    steps = np.asarray(steps, np.int64)
    _, first = np.unique(steps, return_index=True)  # sorted by step
    keep = first[(steps[first] >= end - len(losses)) & (steps[first] <= end)]
    if snapshots:
        keep = keep[spread(steps[keep], snapshot_budget(snapshots[0]))]
    return History(losses, steps[keep], tuple(snapshots[i] for i in keep))


def history_problem(history: History, steps_trained: int, params: Params) -> str | None:
    """What makes ``history`` impossible for a model with these steps and weights, or None."""
    losses, steps = history.losses, history.steps
    if losses.ndim != 1 or losses.dtype != np.float64 or not np.isfinite(losses).all():
        return "its losses must be a 1-D array of finite float64 numbers"
    if len(losses) > min(steps_trained, MAX_HISTORY_STEPS):
        return f"it has {len(losses):,} losses for a model trained {steps_trained:,} steps"
    if steps.ndim != 1 or steps.dtype.kind not in "iu" or len(steps) != len(history.snapshots):
        return "its snapshot steps must be a 1-D integer array, one step per snapshot"
    start = steps_trained - len(losses)
    if len(steps) and (steps[0] < start or steps[-1] > steps_trained or (np.diff(steps) <= 0).any()):
        return f"its snapshot steps must increase within {start:,}..{steps_trained:,} (the steps its losses cover)"
    if len(steps) > snapshot_budget(params):
        return f"it has {len(steps)} snapshots; a model of this size keeps at most {snapshot_budget(params)}"
    model_shapes = [(w.shape, w.dtype) for w in params.as_dict().values()]
    for snap in history.snapshots:
        if [(v.shape, v.dtype) for v in snap.as_dict().values()] != model_shapes:
            return (f"a snapshot's shapes {snap.shapes_text()} or dtype {snap.W_h.dtype} differ from the "
                    f"model's {params.shapes_text()} {params.W_h.dtype}")
    return None
