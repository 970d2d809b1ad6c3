"""One step's distribution seen through each decoding rule on its own, for side-by-side panels.

``rule_panels`` answers "what does each rule keep?" on the model's real numbers: greedy, the
temperature alone, then the temperature followed by each filter alone (top-k, top-p, min-p,
typical-p), each with its kept ids, the renormalised q, its entropy and effective vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .filters import FILTERS, context_ids, penalise, renormalised
from .metrics import effective_vocab, entropy
from .rule import Rule
from .step import softmax


@dataclass(frozen=True)
class Panel:
    """One rule applied to one step's logits."""

    name: str  # 'greedy', 'temperature', 'top-k', 'top-p', 'min-p' or 'typical-p'
    setting: str  # its knob, e.g. 'T = 0.8', 'k = 3'; 'off' for a filter whose knob is off
    kept: np.ndarray  # (n,) ids the rule keeps, in vocabulary order
    q: np.ndarray  # (V,) the renormalised distribution over ``kept``
    entropy: float  # H(q) in nats
    effective_vocab: float  # exp(H(q))


def _panel(name: str, setting: str, kept: np.ndarray, q: np.ndarray) -> Panel:
    return Panel(name, setting, kept, q, entropy(q), effective_vocab(q))


SETTINGS = {"top_k": "k = {:d}", "top_p": "p = {:g}", "min_p": "min-p = {:g}", "typical_p": "typical-p = {:g}"}


def rule_panels(logits: np.ndarray, knobs: Rule, context: Sequence[int] = ()) -> tuple[Panel, ...]:
    """Six panels for logits o_t (V,) under the knob values of ``knobs`` (its strategy is ignored):

    greedy (q one-hot on the argmax), temperature T alone (softmax(o / T), nothing cut), then T
    followed by each filter alone: top-k, top-p, min-p, typical-p. A filter whose knob is off
    gives the temperature panel again with setting 'off', so the layout never changes. When
    ``knobs`` has a repetition penalty, every panel starts from the penalised logits of the ids
    in ``context`` (the tokens fed in so far), as generation does.
    """
    o = penalise(logits, context_ids(context), knobs.repetition_penalty) if knobs.penalises else logits
    everyone = np.arange(len(o), dtype=np.int32)
    top = int(np.argmax(softmax(o)))
    one_hot = np.zeros(len(o))
    one_hot[top] = 1.0
    y = softmax(o, knobs.temperature)
    panels = [_panel("greedy", "argmax", np.array([top], dtype=np.int32), one_hot),
              _panel("temperature", f"T = {knobs.temperature:g}", everyone, y)]
    for f in FILTERS:
        value = getattr(knobs, f.key)
        if not f.is_on(value):
            panels.append(_panel(f.name, "off", everyone, y))
            continue
        kept = f.keep(y, everyone, value).astype(np.int32)
        panels.append(_panel(f.name, SETTINGS[f.key].format(value), kept, renormalised(y, kept)))
    return tuple(panels)
