"""A hand-made model whose vocabulary is made of tokens that mean something to Markdown, HTML,
Plotly or LaTeX: every place that shows a token must show it as text."""

from __future__ import annotations

import numpy as np

import rnn_core as rc

HOSTILE = ("<b>", "$x$", "\\frac", "**", "}", "&", "_", " ", rc.EOS)


def hostile_model(seed: int = 0) -> rc.Model:
    """V = 9 (the tokens above, "</s>" last), E = 2, H = 3, random weights from ``seed``; no
    training text. Built by hand: no tokenizer would produce this vocabulary."""
    params = rc.init_params(len(HOSTILE), 2, 3, np.random.default_rng(seed))
    return rc.Model(params, rc.Vocab(HOSTILE), "word", rc.TrainConfig(hidden_size=3, embed_dim=2), "hostile")
