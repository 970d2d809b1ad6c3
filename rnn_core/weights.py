"""The weights in the seed's notation, and their initialisation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)

with x_t = embedding[token_t]. Shapes: embedding (V, E), W_x (H, E), W_h (H, H), b_h (H,),
W_y (V, H), b_y (V,). The source document writes W_y as 3x3; with a vocabulary of V tokens it
has to be V x H (5 x 3 for "I love deep learning </s>").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES = ("embedding", "W_x", "W_h", "b_h", "W_y", "b_y")


@dataclass(frozen=True)
class Params:
    """The model's arrays; frozen so a trace or a snapshot can never see them change."""

    embedding: np.ndarray  # (V, E) row v is x for token v
    W_x: np.ndarray  # (H, E)
    W_h: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_y: np.ndarray  # (V, H)
    b_y: np.ndarray  # (V,)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(V, E, H)."""
        V, E = self.embedding.shape
        return V, E, self.W_h.shape[0]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in NAMES}  # NAMES: the fields, in order

    def copy(self) -> "Params":
        return Params(**{k: v.copy() for k, v in self.as_dict().items()})

    def astype(self, dtype) -> "Params":
        return Params(**{k: v.astype(dtype) for k, v in self.as_dict().items()})

    def shapes_text(self) -> dict[str, str]:
        """{'W_y': '5 x 3', 'b_h': '3', ...} for display."""
        return {k: " x ".join(map(str, v.shape)) for k, v in self.as_dict().items()}

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.as_dict().values())


def init_params(V: int, E: int, H: int, rng: np.random.Generator, dtype="float64") -> Params:
    """Random small weights (scaled by 1/sqrt(fan-in), so tanh starts unsaturated), zero biases."""

    def normal(rows, cols):
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(dtype)

    return Params(
        embedding=(0.5 * rng.standard_normal((V, E))).astype(dtype),
        W_x=normal(H, E),
        W_h=normal(H, H),
        b_h=np.zeros(H, dtype),
        W_y=normal(V, H),
        b_y=np.zeros(V, dtype),
    )
