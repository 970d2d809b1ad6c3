"""rnn_core.analysis: what the network remembers and how much a distribution says.

The influence of earlier tokens on a prediction and the reach of the gradient through time
(``rnn_core.gradients``), edits of the memory h_{t-1} (``rnn_core.intervention``), what each
hidden unit tracks (``rnn_core.probe``), and measures of a distribution (``rnn_core.metrics``).
"""

from .gradients import GradientReach, Influence, gradient_reach, influence, path_tokens, scale_W_h, spectral_radius
from .intervention import HiddenEdit, Intervention, continue_greedy, intervene
from .metrics import effective_vocab, entropy, perplexity
from .probe import UnitActivity, unit_activity

__all__ = [
    "GradientReach", "Influence", "gradient_reach", "influence", "path_tokens", "scale_W_h", "spectral_radius",
    "HiddenEdit", "Intervention", "continue_greedy", "intervene",
    "effective_vocab", "entropy", "perplexity",
    "UnitActivity", "unit_activity",
]
