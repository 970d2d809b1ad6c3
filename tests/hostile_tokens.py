"""A hand-made model whose vocabulary is made of tokens that mean something to Markdown, HTML,
Plotly or LaTeX: every place that shows a token must show it as text."""

from __future__ import annotations

import numpy as np

import rnn_core as rc

HOSTILE = ("<b>", "$x$", "\\frac", "**", "}", "&", "_", " ", rc.EOS)


def hostile_model(seed: int = 0) -> rc.Model:
    """V = 9 (the tokens above, "</s>" last), E = 2, H = 3, random weights from ``seed``; no
    training text. Built by hand: no tokenizer would produce this vocabulary."""
    params = rc.training.init_params(len(HOSTILE), 2, 3, np.random.default_rng(seed))
    return rc.Model(params, rc.Vocab(HOSTILE), "word", rc.TrainConfig(hidden_size=3, embed_dim=2), "hostile")

# One character each: what a char-level file may hold, and what spells "<b>" or "$x$" when joined.
HOSTILE_CHARS = ("<", "b", ">", "$", "x", "\\", "*", "}", "&", "_", " ", rc.EOS)


def hostile_char_model(seed: int = 0) -> rc.Model:
    """The loadable twin of ``hostile_model``: a char-level vocabulary (V = 12) that a model file
    may carry, so a browser can load it the way a user would; random weights from ``seed``."""
    params = rc.training.init_params(len(HOSTILE_CHARS), 2, 3, np.random.default_rng(seed))
    return rc.Model(params, rc.Vocab(HOSTILE_CHARS), "char", rc.TrainConfig(hidden_size=3, embed_dim=2), "hostile")
