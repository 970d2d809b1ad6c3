"""What each hidden unit tracks: h_t at every position of a text, and which units move most.

Feed a text one token at a time (teacher forcing, h_0 = 0): h_t is the state after reading token
t. A page colours each token by one unit's h_t[i] (always in (-1, 1), tanh's range), so a unit
that follows quotes, line position or vowels shows up as a pattern in the colours. Units are
offered in order of how much they vary over this text: one that barely moves can be tracking
nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bptt import forward_seq
from .model import Model
from .sample import token_ids

MAX_TEXT_TOKENS = 20_000  # enough for pages of text; the page draws one coloured cell per token


@dataclass(frozen=True)
class UnitActivity:
    """The hidden state over a text, and the units ranked by how much they vary.

    ``std[i]`` is the population standard deviation (ddof = 0) of h_t[i] over the T positions,
    so a unit stuck at one value has std 0 and none exceeds 1. ``order`` lists unit indices
    (0-based, as h[i] on the pages) by std, largest first, ties in index order.
    """

    tokens: tuple[str, ...]  # (T,) the text's tokens, token t fed in at step t
    h: np.ndarray  # (T, H) float64, row t - 1 = h_t
    std: np.ndarray  # (H,) float64
    order: tuple[int, ...]  # (H,)


def unit_activity(model: Model, text) -> UnitActivity:
    """h_t for every token of ``text`` and the units ordered by their standard deviation.

    Inputs: ``text`` as a string (tokenized at the model's level: every character for a char
    model) or a list of tokens, 1 to MAX_TEXT_TOKENS of them, all in the vocabulary.
    Returns a ``UnitActivity`` with h (T, H).
    """
    ids = token_ids(model, text, MAX_TEXT_TOKENS, "text")
    H = model.params.W_h.shape[0]
    fwd = forward_seq(model.params, np.asarray(ids)[:, None], np.zeros((1, H), model.params.W_h.dtype))
    h = fwd.hs[1:, 0].astype(np.float64)  # (T, H)
    std = h.std(axis=0)
    order = tuple(int(i) for i in np.argsort(-std, kind="stable"))
    return UnitActivity(tuple(model.vocab.tokens[i] for i in ids), h, std, order)
